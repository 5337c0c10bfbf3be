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
 * With NATIVE_DIR and entry prefixes after it, also writes the native libraries under those prefixes
 * (this platform's ONNX Runtime, JNA and JOCL libraries) into NATIVE_DIR, flat: the image loads them
 * from there (a signed image signs them), so nothing is extracted into a temporary directory at run time.
 * Run by packaging/build-image.sh as a single-file program: java JarFilter.java IN OUT KEEP [NATIVE_DIR PREFIX...].
 */
public class JarFilter {
    public static void main(String[] args) throws IOException {
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        String keep = "ai/onnxruntime/native/" + args[2] + "/";
        Path nativeDir = args.length > 3 ? Path.of(args[3]) : null;
        java.util.List<String> extract = args.length > 4 ? java.util.List.of(args).subList(4, args.length) : java.util.List.of();
        java.util.Set<String> found = new java.util.TreeSet<>();
        if (nativeDir != null) {
            Files.createDirectories(nativeDir);
        }
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
                if (!e.isDirectory() && extract.stream().anyMatch(name::startsWith)) {
                    byte[] bytes = zin.readAllBytes();
                    zout.write(bytes);
                    Path to = nativeDir.resolve(name.substring(name.lastIndexOf('/') + 1));
                    Files.write(to, bytes);
                    found.add(to.getFileName().toString());
                    extract.stream().filter(name::startsWith).forEach(p -> found.add("prefix:" + p));
                } else {
                    zin.transferTo(zout);
                }
                zout.closeEntry();
            }
        }
        System.err.printf("kiln: %s: %d MB -> %d MB (kept %s, dropped %d entries)%n", in.getFileName(), Files.size(in) >> 20,
                Files.size(out) >> 20, keep, dropped);
        for (String p : extract) {
            if (!found.contains("prefix:" + p)) {
                System.err.println("kiln: no native library under " + p + " in " + in.getFileName());
                System.exit(1);
            }
        }
        if (nativeDir != null) {
            System.err.println("kiln: native libraries in " + nativeDir + ": " + found.stream().filter(f -> !f.startsWith("prefix:")).toList());
        }
    }
}
