/**
 * What another bundle can plug into the plugin's Sling side: how results are written as renditions of a DAM's
 * assets, where that DAM has an API of its own (AEM).
 */
@Export
@Version("1.0.0")
package io.inpaint.sling.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
