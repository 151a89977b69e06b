/**
 * The ingestion job's contract: topic, properties and their parsing, for the bundles that queue the job and the
 * one that runs it.
 */
@Export
@Version("1.0.0")
package io.inpaint.api.ingest;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
