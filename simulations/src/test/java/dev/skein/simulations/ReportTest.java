package dev.skein.simulations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Tables written by separate runs read back into one sorted list of rows, and charted. */
class ReportTest {
    private static Scale.Row row(int n, double[] join, double[] removal, double churn) {
        return new Scale.Row(n, "memory, virtual clock, 2 ms latency", 0.1, join, removal, 23166, 8.5, 1.6, 1.06, 0,
                churn);
    }

    @Test
    void tablesOfSeveralRunsParseBackToTheirMediansAndSpreads() {
        String big = Report.table(List.of(row(1024, new double[] {0.3, 0.1, 0.2}, new double[] {2.5, 2.9}, 0.9912)));
        String small = Report.table(List.of(row(16, new double[] {0.11}, new double[] {2.64, 2.49, 2.79}, 0.9969),
                row(256, new double[] {0.1, 0.12, 0.1}, new double[] {2.48, 2.26, 2.94}, Double.NaN)));
        List<Scale.Row> rows = Report.parse(big + "\nsome text between\n" + small);
        assertEquals(List.of(16, 256, 1024), rows.stream().map(Scale.Row::n).toList(), "sorted by N");
        assertArrayEquals(new double[] {2.49, 2.64, 2.79}, rows.get(0).removal(), 1e-9);
        assertEquals(0.2, Report.median(rows.get(2).join()), 1e-9, "the median survives");
        assertEquals(2.7, Report.median(rows.get(2).removal()), 1e-9, "an even count's median is the mean of two");
        assertEquals(0.9969, rows.get(0).churnRouted(), 1e-9);
        assertTrue(Double.isNaN(rows.get(1).churnRouted()), "a size measured without churn says so");
        assertEquals(Report.table(rows.subList(0, 1)).lines().skip(2).findFirst().orElseThrow(),
                small.lines().skip(2).findFirst().orElseThrow(), "a row parsed and written again is the same row");
        String svg = Report.chart(rows);
        assertTrue(svg.contains(">1024</text>") && svg.contains(">16</text>"), "the chart's axis has every size");
    }
}
