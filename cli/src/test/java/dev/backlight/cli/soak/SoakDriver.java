package dev.backlight.cli.soak;

import dev.backlight.cli.Backlight;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import picocli.CommandLine;

/**
 * Runs {@code backlight} in this JVM and measures the heap as it goes, for {@code SoakTest}: every
 * {@code every}-th image summary printed on stdout (one per image explained), the heap in use after
 * a full collection is appended to a CSV file as {@code images,bytes}; at the end, a comment line
 * {@code # peak RSS <kB> kB} where {@code /proc/self/status} tells it. Arguments: the CSV file,
 * {@code every}, then the command's arguments. Exits with the command's status.
 */
public final class SoakDriver {
    private SoakDriver() {
    }

    public static void main(String[] args) throws IOException {
        Path csv = Path.of(args[0]);
        int every = Integer.parseInt(args[1]);
        Files.deleteIfExists(csv);
        Writer counting = new Writer() {
            private final StringBuilder line = new StringBuilder();
            private int images;

            @Override
            public void write(char[] buffer, int offset, int length) {
                for (int i = offset; i < offset + length; i++) {
                    char c = buffer[i];
                    if (c != '\n') {
                        line.append(c);
                        continue;
                    }
                    // A summary starts with the image's name; its five classes are indented.
                    if (line.length() > 0 && line.charAt(0) != ' ' && ++images % every == 0) {
                        SoakDriver.append(csv, images + "," + heapAfterCollection());
                    }
                    line.setLength(0);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        CommandLine cli = Backlight.commandLine();
        cli.setOut(new PrintWriter(counting, true));
        cli.setErr(new PrintWriter(System.err, true));
        int status = cli.execute(java.util.Arrays.copyOfRange(args, 2, args.length));
        Path proc = Path.of("/proc/self/status");
        if (Files.isReadable(proc)) {
            for (String line : Files.readAllLines(proc)) {
                if (line.startsWith("VmHWM:")) {
                    append(csv, "# peak RSS " + line.substring(6).trim());
                }
            }
        }
        System.exit(status);
    }

    /** Adds a line to the CSV file at once, so that a run stopped early keeps its readings. */
    private static void append(Path csv, String line) {
        try {
            Files.writeString(csv, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Heap in use after collections, the smaller of two readings (a collection may leave some garbage). */
    static long heapAfterCollection() {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return least;
    }
}
