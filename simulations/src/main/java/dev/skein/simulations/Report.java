package dev.skein.simulations;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The simulation's figures as a Markdown table and an SVG chart (no plotting library needed for three points). */
final class Report {
    private Report() {}

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static String spread(double[] v) {
        return String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", median(v), Arrays.stream(v).min().orElse(Double.NaN),
                Arrays.stream(v).max().orElse(Double.NaN));
    }

    static String row(Scale.Row r) {
        return String.format(Locale.ROOT, "| %d | %s | %.1f | %s | %s | %.0f | %.1f | %.1f | %.2f | %.1f | %.2f%% |",
                r.n(), r.transport(), r.bootstrap(), spread(r.join()), spread(r.removal()), r.bytesPerNodeSecond(),
                r.packetsPerNodeSecond(), r.cpuPerNode(), r.heapMiBPerNode(), r.threadsPerNode(),
                100 * r.churnRouted());
    }

    static String table(List<Scale.Row> rows) {
        StringBuilder b = new StringBuilder("| N | gossip over | last start to all routed (s) | join: new node to "
                + "every route, median (min-max) s | death to removed everywhere, median (min-max) s | gossip bytes/s "
                + "per node | packets (messages in memory)/s per node | CPU ms/s per node | heap MiB per node "
                + "| threads per node | live pairs routed under 10% churn |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        rows.forEach(r -> b.append(row(r)).append('\n'));
        return b.toString();
    }

    /**
     * The rows of tables {@link #table} wrote (several runs' tables may be joined, one sorted list comes back),
     * each spread read back as {min, median, max}: enough for {@link #chart}, which plots medians. Lets one chart
     * show sizes measured in separate runs, as 1,024 nodes must be.
     */
    static List<Scale.Row> parse(String tables) {
        List<Scale.Row> rows = new java.util.ArrayList<>();
        for (String line : tables.split("\n")) {
            String[] c = line.split("\\|");
            if (c.length < 12 || !c[1].trim().matches("\\d+")) {
                continue;
            }
            rows.add(new Scale.Row(Integer.parseInt(c[1].trim()), c[2].trim(), Double.parseDouble(c[3].trim()),
                    unspread(c[4]), unspread(c[5]), Double.parseDouble(c[6].trim()), Double.parseDouble(c[7].trim()),
                    Double.parseDouble(c[8].trim()), Double.parseDouble(c[9].trim()), Double.parseDouble(c[10].trim()),
                    Double.parseDouble(c[11].trim().replace("%", "")) / 100));
        }
        rows.sort(java.util.Comparator.comparingInt(Scale.Row::n));
        return rows;
    }

    /** "0.42 (0.28-0.43)" as {0.28, 0.42, 0.43}. */
    private static double[] unspread(String cell) {
        String[] p = cell.trim().replace("(", "").replace(")", "").split("[ -]+");
        return p.length == 3 ? new double[] {Double.parseDouble(p[1]), Double.parseDouble(p[0]),
            Double.parseDouble(p[2])} : new double[] {Double.parseDouble(p[0])};
    }

    /** Join and removal times against N (log scale), with the O(log N) curve through the smallest N's join. */
    static String chart(List<Scale.Row> rows) {
        int w = 640;
        int h = 400;
        int left = 60;
        int right = 160;
        int top = 30;
        int bottom = 50;
        double maxY = 0;
        for (Scale.Row r : rows) {
            maxY = Math.max(maxY, Math.max(Arrays.stream(r.join()).max().orElse(0), Arrays.stream(r.removal()).max()
                    .orElse(0)));
        }
        maxY = Math.ceil(maxY + 0.5);
        double minX = Math.log(rows.get(0).n()) / Math.log(2);
        double maxX = Math.log(rows.get(rows.size() - 1).n()) / Math.log(2);
        if (maxX == minX) {
            maxX = minX + 1;
        }
        final double fMaxY = maxY;
        final double fMinX = minX;
        final double fMaxX = maxX;
        java.util.function.DoubleUnaryOperator px = n -> left + (Math.log(n) / Math.log(2) - fMinX) / (fMaxX - fMinX)
                * (w - left - right);
        java.util.function.DoubleUnaryOperator py = s -> h - bottom - s / fMaxY * (h - top - bottom);
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                        + "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", w, h));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\">Skein membership: seconds "
                + "until every node agrees, against mesh size</text>\n", left));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n",
                left, h - bottom, w - right, h - bottom));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n",
                left, top, left, h - bottom));
        for (Scale.Row r : rows) {
            double x = px.applyAsDouble(r.n());
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", x,
                    h - bottom + 18, r.n()));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">nodes (log scale)"
                + "</text>\n", (left + w - right) / 2, h - 10));
        for (int s = 0; s <= (int) maxY; s++) {
            double y = py.applyAsDouble(s);
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d s</text>\n"
                    + "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", left - 6, y + 4, s,
                    left, y, w - right, y));
        }
        series(svg, rows, px, py, r -> median(r.join()), "#1f77b4", "join (median)", 0, w - right + 10, top + 10);
        series(svg, rows, px, py, r -> median(r.removal()), "#d62728", "death to removal", 0, w - right + 10,
                top + 30);
        double base = median(rows.get(0).join()) / Math.log(rows.get(0).n());
        series(svg, rows, px, py, r -> base * Math.log(r.n()), "#7f7f7f", "O(log N) from first", 1, w - right + 10,
                top + 50);
        return svg.append("</svg>\n").toString();
    }

    private static void series(StringBuilder svg, List<Scale.Row> rows, java.util.function.DoubleUnaryOperator px,
                               java.util.function.DoubleUnaryOperator py,
                               java.util.function.ToDoubleFunction<Scale.Row> value, String color, String label,
                               int dashed, int lx, int ly) {
        StringBuilder points = new StringBuilder();
        for (Scale.Row r : rows) {
            double x = px.applyAsDouble(r.n());
            double y = py.applyAsDouble(value.applyAsDouble(r));
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x, y,
                    color));
        }
        svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
                + "stroke-width=\"2\"%s/>\n", points.toString().trim(), color,
                dashed == 1 ? " stroke-dasharray=\"5,4\"" : ""));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                + "stroke-width=\"2\"%s/><text x=\"%d\" y=\"%d\">%s</text>\n", lx, ly, lx + 20, ly, color,
                dashed == 1 ? " stroke-dasharray=\"5,4\"" : "", lx + 25, ly + 4, label));
    }
}
