/**
 * Inpainting for digital asset management: fill the holes a mask marks in a picture with a trained model.
 *
 * <p>{@link io.inpaint.api.InpaintingService} is the one entry point. It is implemented by the model service bundle;
 * callers (servlets, job consumers, scripts) only depend on this package.
 */
@Export
@Version("5.0.0")
package io.inpaint.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
