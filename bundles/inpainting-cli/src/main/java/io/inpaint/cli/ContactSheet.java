package io.inpaint.cli;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * The picture a person judges the fills by: a labelled header, then one row per picture with the input (hole in
 * white), the mask, the ground truth and each method's result at full size, each result captioned with its hole l1.
 * Columns are as wide as the widest picture, each row as tall as its own.
 */
final class ContactSheet {
    static final int MAX_ROWS = 12;
    /** Pictures at their own size make a sheet of about 4000 px by 450 per row. */
    static final int MAX_ROWS_FULL_SIZE = 6;
    static final int GAP = 4;
    static final int HEADER = 28;
    private static final Font HEADING = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final Font CAPTION = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private final List<String> headings = new ArrayList<>(List.of("input", "mask", "ground truth"));
    private final List<Row> rows = new ArrayList<>();
    private final int maxRows;

    /** {@code results} and {@code holeL1} in the order of the method labels. */
    record Row(String name, BufferedImage input, BufferedImage mask, BufferedImage truth, List<BufferedImage> results,
               double[] holeL1) {
    }

    ContactSheet(List<String> methodLabels, int maxRows) {
        headings.addAll(methodLabels);
        this.maxRows = maxRows;
    }

    /** Keeps the row if there is room for it. */
    void add(Row row) {
        if (rows.size() < maxRows) {
            rows.add(row);
        }
    }

    /** The sheet's size for {@code methods} results in columns {@code cell} wide and rows of these heights. */
    static int width(int methods, int cell) {
        return GAP + (3 + methods) * (cell + GAP);
    }

    static int height(int... rowHeights) {
        int height = HEADER;
        for (int h : rowHeights) {
            height += h + GAP;
        }
        return height;
    }

    BufferedImage render() {
        int cell = rows.stream().mapToInt(r -> r.truth().getWidth()).max().orElse(0);
        BufferedImage sheet = new BufferedImage(width(headings.size() - 3, cell),
                height(rows.stream().mapToInt(r -> r.truth().getHeight()).toArray()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(0x30, 0x30, 0x30));
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        g.setFont(HEADING);
        g.setColor(Color.WHITE);
        FontMetrics fm = g.getFontMetrics();
        for (int c = 0; c < headings.size(); c++) {
            String heading = headings.get(c);
            g.drawString(heading, x(c, cell) + (cell - fm.stringWidth(heading)) / 2,
                    (HEADER + fm.getAscent()) / 2 - 1);
        }
        g.setFont(CAPTION);
        int y = HEADER;
        for (Row row : rows) {
            List<BufferedImage> cells = new ArrayList<>(List.of(row.input(), row.mask(), row.truth()));
            cells.addAll(row.results());
            for (int c = 0; c < cells.size(); c++) {
                g.drawImage(cells.get(c), x(c, cell), y, null);
            }
            int bottom = y + row.truth().getHeight();
            caption(g, row.name(), x(0, cell), bottom);
            for (int m = 0; m < row.holeL1().length; m++) {
                caption(g, String.format("hole l1 %.1f %%", row.holeL1()[m]), x(3 + m, cell), bottom);
            }
            y = bottom + GAP;
        }
        g.dispose();
        return sheet;
    }

    private static int x(int column, int cell) {
        return GAP + column * (cell + GAP);
    }

    /** White text on a dark band above {@code bottom}, readable over any picture. */
    private static void caption(Graphics2D g, String text, int x, int bottom) {
        FontMetrics fm = g.getFontMetrics();
        int band = fm.getHeight() + 4;
        g.setColor(new Color(0, 0, 0, 160));
        g.fillRect(x, bottom - band, fm.stringWidth(text) + 8, band);
        g.setColor(Color.WHITE);
        g.drawString(text, x + 4, bottom - band + 2 + fm.getAscent());
    }
}
