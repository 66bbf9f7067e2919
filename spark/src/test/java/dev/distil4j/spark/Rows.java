package dev.distil4j.spark;

import org.apache.spark.sql.Row;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Compares Spark values structurally: rows, arrays and maps exactly, floats within a tolerance. */
final class Rows {
    private Rows() {}

    static void assertClose(String where, Object expected, Object actual, double tol) {
        if (expected == null || actual == null) {
            assertThat(actual).as(where).isEqualTo(expected);
        } else if (expected instanceof Row e) {
            Row a = (Row) actual;
            assertThat(a.length()).as(where).isEqualTo(e.length());
            for (int i = 0; i < e.length(); i++) assertClose(where + "." + e.schema().fieldNames()[i], e.get(i), a.get(i), tol);
        } else if (expected instanceof scala.collection.Seq<?> e) {
            List<?> el = scala.jdk.javaapi.CollectionConverters.asJava(e);
            List<?> al = scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<?>) actual);
            assertThat(al).as(where).hasSize(el.size());
            for (int i = 0; i < el.size(); i++) assertClose(where + "[" + i + "]", el.get(i), al.get(i), tol);
        } else if (expected instanceof Float || expected instanceof Double) {
            assertThat(Math.abs(((Number) expected).doubleValue() - ((Number) actual).doubleValue())).as(where).isLessThanOrEqualTo(tol);
        } else {
            assertThat(actual).as(where).isEqualTo(expected);
        }
    }

    static void assertClose(List<Row> expected, List<Row> actual, double tol) {
        assertThat(actual).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) assertClose("row " + i, expected.get(i), actual.get(i), tol);
    }
}
