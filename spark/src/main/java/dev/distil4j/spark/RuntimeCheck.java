package dev.distil4j.spark;

import org.apache.hadoop.util.VersionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Warns on the driver, once, about a JDK and Hadoop client that cannot work together: Hadoop clients
 * before 3.5 call {@code Subject.getSubject}, which JDK 24+ refuses (HADOOP-19212). Executors then
 * cannot start at all (the Master keeps launching new ones while the driver waits, with nothing in the
 * driver's log), and every Hadoop file system call fails, ML save and load among them. A warning,
 * not an error: the executors may run another JDK than the driver.
 */
final class RuntimeCheck {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeCheck.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");

    private RuntimeCheck() {}

    static void warnOnce() {
        if (WARNED.get()) return;
        String problem = problem(Runtime.version().feature(), VersionInfo.getVersion());
        if (problem != null && WARNED.compareAndSet(false, true)) LOG.warn(problem);
    }

    /** What goes wrong with this JDK and Hadoop client version, or null when they work together. */
    static String problem(int jdk, String hadoop) {
        if (jdk < 24 || hadoop == null) return null;
        Matcher m = VERSION.matcher(hadoop);
        if (!m.find()) return null;
        int major = Integer.parseInt(m.group(1)), minor = Integer.parseInt(m.group(2));
        if (major > 3 || (major == 3 && minor >= 5)) return null;
        return "distil4j: this JVM runs JDK " + jdk + " with Hadoop client " + hadoop + ", which calls Subject.getSubject, refused "
                + "since JDK 24 (HADOOP-19212): executors on such a JDK with these jars cannot start (UnsupportedOperationException: "
                + "getSubject is not supported, in UserGroupInformation; the master keeps launching new ones while the job waits) "
                + "and Hadoop file system calls (ML save/load) fail. Run Spark on JDK 21, or replace the hadoop-client-api and "
                + "hadoop-client-runtime jars in Spark's jars/ with 3.5.0 or newer (docs/spark.md, \"JDK and Hadoop versions\")";
    }
}
