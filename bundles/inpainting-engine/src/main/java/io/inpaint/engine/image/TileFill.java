package io.inpaint.engine.image;

/** The network's answer for one tile: the stage-2 picture (planar RGB in [0, 255], tile size) and its offsets. */
public record TileFill(int width, int height, float[] rgb, Offsets offsets) {

    /**
     * Attention offsets per H/8 cell: {@code dy} for all cells then {@code dx} for all cells, in cells, as the
     * network returns them; {@code holeCells} marks cells whose top-left pixel is hole (where
     * the attention samples the mask).
     */
    public record Offsets(int cellsWide, int cellsHigh, int[] dyDx, boolean[] holeCells) {
        public int dy(int cell) {
            return dyDx[cell];
        }

        public int dx(int cell) {
            return dyDx[cellsWide * cellsHigh + cell];
        }
    }
}
