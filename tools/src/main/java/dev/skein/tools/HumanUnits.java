package dev.skein.tools;

import java.util.Locale;

/** Numbers as a person reads them: bytes in B/KiB/MiB/GiB, ages in s/m/h/d, round trips in ms. */
final class HumanUnits {
    private HumanUnits() {}

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    /** "12s ago", "3m ago", "never". */
    static String age(long millis) {
        if (millis < 0) {
            return "never";
        }
        long s = millis / 1000;
        if (s < 120) {
            return s + "s ago";
        }
        if (s < 7200) {
            return s / 60 + "m ago";
        }
        if (s < 172_800) {
            return s / 3600 + "h ago";
        }
        return s / 86400 + "d ago";
    }

    static String rtt(long micros) {
        if (micros < 0) {
            return "-";
        }
        return String.format(Locale.ROOT, micros < 10_000 ? "%.2f ms" : "%.0f ms", micros / 1000.0);
    }
}
