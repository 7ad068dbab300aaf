package nationpulse.servers;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * MongoDB wire-protocol test peer (mongo-java-server) for the integration tests.
 * Started in the background by scripts/servers/mongo.sh; runs until SIGTERM.
 *
 * <p>Configuration, all from the environment:
 * <ul>
 *   <li>MONGO_HOST (127.0.0.1), MONGO_PORT (27017)</li>
 *   <li>MONGO_BACKEND: memory (default; data is lost on stop) or h2 (MVStore file MONGO_H2_FILE,
 *       kept across restarts)</li>
 *   <li>MONGO_SERVER_VERSION (5.0.0) and MONGO_WIRE_VERSION (derived from the version): what the
 *       server reports in isMaster/buildInfo. mongo-java-server 1.47 reports wire version 8 by default,
 *       which the Node.js driver 7.x (minimum wire version 9, i.e. MongoDB 4.4) refuses.</li>
 *   <li>MONGO_OPLOG: true enables the oplog, needed for (basic) change streams.</li>
 * </ul>
 */
public final class MongoWireServer {

    /** Wire versions of real MongoDB releases (major.minor -> maxWireVersion). */
    private static final Map<String, Integer> WIRE_VERSIONS = Map.ofEntries(
        Map.entry("3.6", 6), Map.entry("4.0", 7), Map.entry("4.2", 8), Map.entry("4.4", 9),
        Map.entry("5.0", 13), Map.entry("6.0", 17), Map.entry("7.0", 21), Map.entry("8.0", 25));

    private record ReportedVersion(List<Integer> versionArray, int wireVersion) implements MongoVersion {
        @Override
        public List<Integer> getVersionArray() {
            return versionArray;
        }

        @Override
        public int getWireVersion() {
            return wireVersion;
        }
    }

    private MongoWireServer() {
    }

    public static void main(String[] args) throws Exception {
        String host = env("MONGO_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("MONGO_PORT", "27017"));
        String backendName = env("MONGO_BACKEND", "memory");
        String versionString = env("MONGO_SERVER_VERSION", "5.0.0");
        boolean oplog = Boolean.parseBoolean(env("MONGO_OPLOG", "false"));

        List<Integer> versionArray = parseVersion(versionString);
        String wireDefault = String.valueOf(WIRE_VERSIONS.getOrDefault(versionArray.get(0) + "." + versionArray.get(1), -1));
        int wireVersion = Integer.parseInt(env("MONGO_WIRE_VERSION", wireDefault));
        if (wireVersion < 0) {
            throw new IllegalArgumentException("no known wire version for MONGO_SERVER_VERSION=" + versionString
                + "; set MONGO_WIRE_VERSION too (known: " + WIRE_VERSIONS + ")");
        }

        MongoBackend backend;
        String backendDescription;
        switch (backendName) {
            case "memory" -> {
                backend = new MemoryBackend();
                backendDescription = "memory";
            }
            case "h2" -> {
                Path file = Path.of(env("MONGO_H2_FILE", "mongo.mv")).toAbsolutePath();
                Files.createDirectories(file.getParent());
                backend = new H2Backend(file.toString());
                backendDescription = "h2 " + file;
            }
            default -> throw new IllegalArgumentException("MONGO_BACKEND must be memory or h2, not " + backendName);
        }
        backend.version(new ReportedVersion(versionArray, wireVersion));

        MongoServer server = new MongoServer(backend);
        if (oplog) {
            server.enableOplog();
        }
        server.bind(host, port);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("mongo-wire-server: shutting down");
            // Closes client connections, stops Netty and closes the backend (H2: final commit).
            server.shutdownNow();
            System.out.println("mongo-wire-server: stopped");
            System.out.flush();
            stopped.countDown();
        }, "mongo-wire-server-shutdown"));

        System.out.printf("mongo-wire-server: ready on mongodb://%s:%d (backend %s, reports MongoDB %s, wire version %d, oplog %s, pid %d)%n",
            host, port, backendDescription, versionString, wireVersion, oplog ? "on" : "off", ProcessHandle.current().pid());
        System.out.flush();
        stopped.await();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static List<Integer> parseVersion(String version) {
        List<Integer> parts = new ArrayList<>();
        for (String part : version.split("\\.")) {
            parts.add(Integer.parseInt(part));
        }
        while (parts.size() < 3) {
            parts.add(0);
        }
        if (parts.size() > 3) {
            throw new IllegalArgumentException("MONGO_SERVER_VERSION must look like 5.0.0, not " + version);
        }
        return List.copyOf(parts);
    }
}
