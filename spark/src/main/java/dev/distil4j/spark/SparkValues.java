package dev.distil4j.spark;

import java.util.Map;

/** Java values in the external types Spark's row encoder takes. */
final class SparkValues {
    private SparkValues() {}

    /** A {@code map<string,string>} value: the encoder wants a Scala map. */
    static scala.collection.Map<String, String> map(Map<String, String> m) {
        return scala.jdk.javaapi.CollectionConverters.asScala(m);
    }
}
