package io.inpaint.api;

import java.util.Objects;

/** What {@link InpaintingService#inpaintAsset} stored and where. */
public final class AssetInpaintingResult {
    private final String location;
    private final String renditionName;
    private final InpaintingResult result;

    public AssetInpaintingResult(String location, String renditionName, InpaintingResult result) {
        this.location = location;
        this.renditionName = Objects.requireNonNull(renditionName, "renditionName");
        this.result = Objects.requireNonNull(result, "result");
    }

    /** What {@link AssetTarget#writeRendition} returned. */
    public String getLocation() {
        return location;
    }

    public String getRenditionName() {
        return renditionName;
    }

    /** The written picture and its figures. */
    public InpaintingResult getResult() {
        return result;
    }

    @Override
    public String toString() {
        return "AssetInpaintingResult[location=" + location + ", rendition=" + renditionName + ", " + result + "]";
    }
}
