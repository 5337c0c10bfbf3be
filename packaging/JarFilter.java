import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Copies a jar without the native libraries of other platforms: of ONNX Runtime's
 * ai/onnxruntime/native/PLATFORM/ directories only KEEP stays, and no debug symbols (.dSYM) at all.
 * Run by packaging/build-image.sh as a single-file program: java JarFilter.java IN OUT KEEP.
 */
public class JarFilter {
    public static void main(String[] args) throws IOException {
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        String keep = "ai/onnxruntime/native/" + args[2] + "/";
        long dropped = 0;
        try (ZipInputStream zin = new ZipInputStream(Files.newInputStream(in));
             ZipOutputStream zout = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e; (e = zin.getNextEntry()) != null; ) {
                String name = e.getName();
                boolean otherPlatform = name.startsWith("ai/onnxruntime/native/") && !name.equals("ai/onnxruntime/native/")
                        && !name.startsWith(keep);
                if (otherPlatform || name.contains(".dSYM/")) {
                    dropped++;
                    continue;
                }
                ZipEntry copy = new ZipEntry(name);
                copy.setTime(e.getTime());
                zout.putNextEntry(copy);
                zin.transferTo(zout);
                zout.closeEntry();
            }
        }
        System.err.printf("kiln: %s: %d MB -> %d MB (kept %s, dropped %d entries)%n", in.getFileName(), Files.size(in) >> 20,
                Files.size(out) >> 20, keep, dropped);
    }
}
