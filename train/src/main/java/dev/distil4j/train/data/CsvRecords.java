package dev.distil4j.train.data;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 records, one at a time, each with the line it starts on. A malformed record (a quote inside an
 * unquoted field, text after a closing quote, a quote never closed) comes back with an error, having been
 * read up to the end of its line so that the next record starts cleanly.
 */
final class CsvRecords {
    record Row(int line, List<String> fields, String error) {}

    private final TextFiles.Chars in;
    private int line = 1;
    private int pushed = -2;

    CsvRecords(TextFiles.Chars in) {
        this.in = in;
    }

    /** The next non-empty record, or null at the end of the file. */
    Row next() {
        int c = read();
        while (c == '\n' || c == '\r') {
            newline(c);
            c = read();
        }
        if (c == -1) {
            return null;
        }
        int start = line;
        List<String> fields = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        String error = null;
        while (true) {
            if (c == '"') {
                int opened = line;
                while (true) {
                    c = read();
                    if (c == -1) {
                        fields.add(sb.toString());
                        return new Row(start, fields, "quoted field opened on line " + opened + " is never closed");
                    }
                    if (c == '"') {
                        int d = read();
                        if (d == '"') {
                            sb.append('"');
                            continue;
                        }
                        c = d;
                        break;
                    }
                    if (c == '\r') {
                        int d = read();
                        if (d != '\n') {
                            unread(d);
                        } else {
                            sb.append('\r');
                            c = '\n';
                        }
                        line++;
                    } else if (c == '\n') {
                        line++;
                    }
                    sb.append((char) c);
                }
                if (c != ',' && c != '\n' && c != '\r' && c != -1) {
                    fields.add(sb.toString());
                    while (c != '\n' && c != '\r' && c != -1) {
                        c = read();
                    }
                    newline(c);
                    return new Row(start, fields, "unexpected character after the closing quote of field "
                            + fields.size() + " (a quote inside a quoted field is written \"\")");
                }
            } else {
                while (c != ',' && c != '\n' && c != '\r' && c != -1) {
                    if (c == '"' && error == null) {
                        error = "quote inside unquoted field " + (fields.size() + 1)
                                + " (quote the whole field and double the quote)";
                    }
                    sb.append((char) c);
                    c = read();
                }
            }
            fields.add(sb.toString());
            sb.setLength(0);
            if (c == ',') {
                c = read();
                continue;
            }
            newline(c);
            return new Row(start, fields, error);
        }
    }

    private void newline(int c) {
        if (c == '\r') {
            int d = read();
            if (d != '\n') {
                unread(d);
            }
            line++;
        } else if (c == '\n') {
            line++;
        }
    }

    private int read() {
        if (pushed != -2) {
            int c = pushed;
            pushed = -2;
            return c;
        }
        return in.read();
    }

    private void unread(int c) {
        pushed = c;
    }
}
