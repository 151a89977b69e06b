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
 */
final class ContactSheet {
    static final int MAX_ROWS = 12;
    static final int CELL = MaskKind.SIDE;
    static final int GAP = 4;
    static final int HEADER = 28;
    private static final Font HEADING = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final Font CAPTION = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private final List<String> headings = new ArrayList<>(List.of("input", "mask", "ground truth"));
    private final List<Row> rows = new ArrayList<>();

    /** {@code results} and {@code holeL1} in the order of the method labels. */
    record Row(String name, BufferedImage input, BufferedImage mask, BufferedImage truth, List<BufferedImage> results,
               double[] holeL1) {
    }

    ContactSheet(List<String> methodLabels) {
        headings.addAll(methodLabels);
    }

    /** Keeps the row if there is room for it. */
    void add(Row row) {
        if (rows.size() < MAX_ROWS) {
            rows.add(row);
        }
    }

    static int width(int methods) {
        return GAP + (3 + methods) * (CELL + GAP);
    }

    static int height(int rows) {
        return HEADER + Math.min(rows, MAX_ROWS) * (CELL + GAP);
    }

    BufferedImage render() {
        BufferedImage sheet = new BufferedImage(width(headings.size() - 3), height(rows.size()),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(0x30, 0x30, 0x30));
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        g.setFont(HEADING);
        g.setColor(Color.WHITE);
        FontMetrics fm = g.getFontMetrics();
        for (int c = 0; c < headings.size(); c++) {
            String heading = headings.get(c);
            g.drawString(heading, x(c) + (CELL - fm.stringWidth(heading)) / 2, (HEADER + fm.getAscent()) / 2 - 1);
        }
        g.setFont(CAPTION);
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            int y = HEADER + r * (CELL + GAP);
            List<BufferedImage> cells = new ArrayList<>(List.of(row.input(), row.mask(), row.truth()));
            cells.addAll(row.results());
            for (int c = 0; c < cells.size(); c++) {
                g.drawImage(cells.get(c), x(c), y, null);
            }
            caption(g, row.name(), x(0), y);
            for (int m = 0; m < row.holeL1().length; m++) {
                caption(g, String.format("hole l1 %.1f %%", row.holeL1()[m]), x(3 + m), y);
            }
        }
        g.dispose();
        return sheet;
    }

    private static int x(int column) {
        return GAP + column * (CELL + GAP);
    }

    /** White text on a dark band at the cell's bottom, readable over any picture. */
    private static void caption(Graphics2D g, String text, int x, int y) {
        FontMetrics fm = g.getFontMetrics();
        int band = fm.getHeight() + 4;
        g.setColor(new Color(0, 0, 0, 160));
        g.fillRect(x, y + CELL - band, fm.stringWidth(text) + 8, band);
        g.setColor(Color.WHITE);
        g.drawString(text, x + 4, y + CELL - band + 2 + fm.getAscent());
    }
}
