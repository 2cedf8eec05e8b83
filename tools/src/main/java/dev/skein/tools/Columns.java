package dev.skein.tools;

import java.util.ArrayList;
import java.util.List;

/** A table printed as aligned columns, like `wg show` or `ip -br`: a header, then one line per row. */
final class Columns {
    private final List<String[]> rows = new ArrayList<>();

    Columns(String... header) {
        rows.add(header);
    }

    Columns row(String... cells) {
        rows.add(cells);
        return this;
    }

    @Override
    public String toString() {
        int n = rows.get(0).length;
        int[] width = new int[n];
        for (String[] r : rows) {
            for (int i = 0; i < n; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder s = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < n; i++) {
                line.append(i == n - 1 ? r[i] : String.format("%-" + (width[i] + 2) + "s", r[i]));
            }
            s.append(line.toString().stripTrailing()).append('\n');
        }
        return s.toString();
    }
}
