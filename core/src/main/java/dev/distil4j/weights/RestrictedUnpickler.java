package dev.distil4j.weights;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A pickle reader that understands exactly what {@code torch.save(state_dict)} writes and refuses
 * everything else. It never runs code: there is no Python here, and a pickle can only name the
 * callables listed in {@link #ALLOWED_GLOBALS}, each of which is interpreted by a fixed Java
 * function (an {@code OrderedDict} becomes a map, {@code _rebuild_tensor_v2} a {@link TensorRef}).
 * Any other global (for example {@code os.system} or {@code builtins.eval}), and the opcodes that
 * instantiate arbitrary classes ({@code NEWOBJ}, {@code INST}, {@code OBJ}, extension registry),
 * are refused with an error naming the global or opcode and the byte offset.
 *
 * <p>Nothing here recurses on what the pickle builds, so no pickle can overflow the stack: tuples
 * nest at most {@value #MAX_TUPLE_DEPTH} deep (a state dict needs 3), dict keys must be scalars (a
 * state dict's are strings; hashing a key never walks a structure), {@code _rebuild_from_type_v2}
 * may not re-dispatch to itself, and messages describe values without printing them.
 *
 * <p>Values: {@code str} → {@link String}, {@code int} → {@link Long} (or {@link BigInteger}),
 * {@code float} → {@link Double}, {@code bool} → {@link Boolean}, {@code None} → null, {@code bytes} →
 * {@code byte[]}, {@code list} → {@link List}, {@code tuple} → {@link Tuple}, {@code dict} and
 * {@code OrderedDict} → {@link LinkedHashMap}.
 */
public final class RestrictedUnpickler {

    /** How deep tuples may nest; torch.save writes 3 levels (the rebuild arguments, a shape inside them). */
    public static final int MAX_TUPLE_DEPTH = 100;

    /** The only globals a pickle may reference. */
    public static final Set<String> ALLOWED_GLOBALS;

    /** Storage classes (persistent-id markers) and their element types. */
    static final Map<String, DType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("torch.FloatStorage", DType.F32), Map.entry("torch.DoubleStorage", DType.F64),
            Map.entry("torch.HalfStorage", DType.F16), Map.entry("torch.BFloat16Storage", DType.BF16),
            Map.entry("torch.LongStorage", DType.I64), Map.entry("torch.IntStorage", DType.I32),
            Map.entry("torch.ShortStorage", DType.I16), Map.entry("torch.CharStorage", DType.I8),
            Map.entry("torch.ByteStorage", DType.U8), Map.entry("torch.BoolStorage", DType.BOOL));

    private static final String REBUILD_V2 = "torch._utils._rebuild_tensor_v2";
    private static final String REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
    private static final String REBUILD_FROM_TYPE = "torch._tensor._rebuild_from_type_v2";
    private static final String ORDERED_DICT = "collections.OrderedDict";
    private static final Set<String> TENSOR_TYPES = Set.of("torch.Tensor", "torch.nn.parameter.Parameter");

    static {
        var s = new java.util.HashSet<>(STORAGE_TYPES.keySet());
        s.addAll(List.of(REBUILD_V2, REBUILD_PARAMETER, REBUILD_FROM_TYPE, ORDERED_DICT));
        s.addAll(TENSOR_TYPES);
        ALLOWED_GLOBALS = Set.copyOf(s);
    }

    /** A Python tuple. */
    public record Tuple(List<Object> items) {
        public Tuple {
            items = java.util.Collections.unmodifiableList(new ArrayList<>(items));
        }

        public Object get(int i) {
            return items.get(i);
        }

        public int size() {
            return items.size();
        }
    }

    /** A reference to one of the allowed globals. */
    public record Global(String module, String name) {
        public String qualified() {
            return module + "." + name;
        }
    }

    /**
     * What {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, ...)} describes.
     *
     * @param storage whatever the persistent-id loader returned for the storage
     * @param offset  in elements
     */
    public record TensorRef(Object storage, long offset, long[] shape, long[] stride) {
        public TensorRef {
            shape = shape.clone();
            stride = stride.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public long[] stride() {
            return stride.clone();
        }
    }

    private static final Object MARK = new Object();

    private final String where;
    private final ByteBuffer in;
    private final Function<Object, Object> persistentLoad;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final Map<Tuple, Integer> tupleDepth = new IdentityHashMap<>(); // known at creation: tuples are immutable

    private RestrictedUnpickler(String where, byte[] pickle, Function<Object, Object> persistentLoad) {
        this.where = where;
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.persistentLoad = persistentLoad;
    }

    /**
     * Reads one pickle.
     *
     * @param where          names the file in error messages
     * @param persistentLoad maps a persistent id ({@code BINPERSID}) to an object; null refuses them
     * @throws WeightsException for a malformed pickle, a forbidden global or a forbidden opcode
     */
    public static Object load(String where, byte[] pickle, Function<Object, Object> persistentLoad) {
        return new RestrictedUnpickler(where, pickle, persistentLoad).run();
    }

    private WeightsException error(int at, String msg) {
        return new WeightsException(where + ": pickle byte " + at + ": " + msg);
    }

    private Object run() {
        while (true) {
            if (!in.hasRemaining()) throw error(in.position(), "truncated pickle (no STOP opcode)");
            int at = in.position();
            int op = in.get() & 0xff;
            try {
                switch (op) {
                    case 0x80 -> { // PROTO
                        int v = u8();
                        if (v > 5) throw error(at, "pickle protocol " + v + " is not supported");
                    }
                    case 0x95 -> in.getLong(); // FRAME: framing is only a hint for buffered readers
                    case '.' -> { // STOP
                        if (stack.size() != 1 || !marks.isEmpty()) throw error(at, "malformed pickle: STOP with a stack of " + stack.size());
                        return stack.get(0);
                    }
                    case '(' -> { // MARK
                        marks.add(stack.size());
                        stack.add(MARK);
                    }
                    case '0' -> pop(at); // POP
                    case '1' -> popMark(at); // POP_MARK
                    case '2' -> push(peek(at)); // DUP
                    case 'N' -> push(null);
                    case 0x88 -> push(Boolean.TRUE);
                    case 0x89 -> push(Boolean.FALSE);
                    case 'J' -> push((long) in.getInt()); // BININT
                    case 'K' -> push((long) u8()); // BININT1
                    case 'M' -> push((long) (in.getShort() & 0xffff)); // BININT2
                    case 0x8a -> push(longOf(bytes(at, u8()))); // LONG1
                    case 0x8b -> push(longOf(bytes(at, len32(at)))); // LONG4
                    case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT is big-endian
                    case 'X' -> push(utf8(bytes(at, len32(at)))); // BINUNICODE
                    case 0x8c -> push(utf8(bytes(at, u8()))); // SHORT_BINUNICODE
                    case 0x8d -> push(utf8(bytes(at, len64(at)))); // BINUNICODE8
                    case 'T' -> push(new String(bytes(at, len32(at)), StandardCharsets.ISO_8859_1)); // BINSTRING
                    case 'U' -> push(new String(bytes(at, u8()), StandardCharsets.ISO_8859_1)); // SHORT_BINSTRING
                    case 'B' -> push(bytes(at, len32(at))); // BINBYTES
                    case 'C' -> push(bytes(at, u8())); // SHORT_BINBYTES
                    case 0x8e -> push(bytes(at, len64(at))); // BINBYTES8
                    case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                    case 'd' -> { // DICT
                        List<Object> items = popMark(at);
                        push(toDict(at, items, new LinkedHashMap<>()));
                    }
                    case 's' -> { // SETITEM
                        Object v = pop(at), k = pop(at);
                        dict(at, peek(at)).put(key(at, k), v);
                    }
                    case 'u' -> { // SETITEMS
                        List<Object> items = popMark(at);
                        toDict(at, items, dict(at, peek(at)));
                    }
                    case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                    case 'l' -> push(new ArrayList<>(popMark(at))); // LIST
                    case 'a' -> { // APPEND
                        Object v = pop(at);
                        list(at, peek(at)).add(v);
                    }
                    case 'e' -> { // APPENDS
                        List<Object> items = popMark(at);
                        list(at, peek(at)).addAll(items);
                    }
                    case ')' -> push(tuple(at, List.of())); // EMPTY_TUPLE
                    case 't' -> push(tuple(at, popMark(at))); // TUPLE
                    case 0x85 -> push(tuple(at, listOf(pop(at)))); // TUPLE1
                    case 0x86 -> { // TUPLE2
                        Object b = pop(at), a = pop(at);
                        push(tuple(at, listOf(a, b)));
                    }
                    case 0x87 -> { // TUPLE3
                        Object c = pop(at), b = pop(at), a = pop(at);
                        push(tuple(at, listOf(a, b, c)));
                    }
                    case 'q' -> memo.put((long) u8(), peek(at)); // BINPUT
                    case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek(at)); // LONG_BINPUT
                    case 0x94 -> memo.put((long) memo.size(), peek(at)); // MEMOIZE
                    case 'h' -> push(memoGet(at, u8())); // BINGET
                    case 'j' -> push(memoGet(at, in.getInt() & 0xffffffffL)); // LONG_BINGET
                    case 'c' -> { // GLOBAL: "module\nname\n"
                        String module = line(at), name = line(at);
                        push(global(at, module, name));
                    }
                    case 0x93 -> { // STACK_GLOBAL
                        Object name = pop(at), module = pop(at);
                        if (!(module instanceof String m) || !(name instanceof String n)) {
                            throw error(at, "STACK_GLOBAL needs two strings");
                        }
                        push(global(at, m, n));
                    }
                    case 'R' -> { // REDUCE
                        Object args = pop(at), fn = pop(at);
                        push(call(at, fn, args));
                    }
                    case 'b' -> { // BUILD
                        Object state = pop(at);
                        build(at, peek(at), state);
                    }
                    case 'Q' -> { // BINPERSID
                        Object pid = pop(at);
                        if (persistentLoad == null) throw error(at, "persistent ids are not allowed here");
                        push(persistentLoad.apply(pid));
                    }
                    case 0x81, 0x92 -> throw error(at, "opcode " + opName(op)
                            + " (instantiates an arbitrary class) is not allowed in a model checkpoint");
                    case 'i', 'o' -> throw error(at, "opcode " + opName(op)
                            + " (calls an arbitrary class) is not allowed in a model checkpoint");
                    case 0x82, 0x83, 0x84 -> throw error(at, "opcode " + opName(op)
                            + " (extension registry) is not allowed in a model checkpoint");
                    default -> throw error(at, "pickle opcode " + opName(op)
                            + " is not one a PyTorch state dict uses; refusing to load");
                }
            } catch (java.nio.BufferUnderflowException e) {
                throw error(at, "truncated pickle");
            }
        }
    }

    private static String opName(int op) {
        String name = switch (op) {
            case 0x81 -> "NEWOBJ";
            case 0x92 -> "NEWOBJ_EX";
            case 'i' -> "INST";
            case 'o' -> "OBJ";
            case 0x82 -> "EXT1";
            case 0x83 -> "EXT2";
            case 0x84 -> "EXT4";
            case 'I' -> "INT";
            case 'L' -> "LONG";
            case 'F' -> "FLOAT";
            case 'S' -> "STRING";
            case 'V' -> "UNICODE";
            case 'p' -> "PUT";
            case 'g' -> "GET";
            case 'P' -> "PERSID";
            default -> null;
        };
        String hex = String.format("0x%02x", op);
        return name == null ? hex : name + " (" + hex + ")";
    }

    private Object global(int at, String module, String name) {
        String q = module + "." + name;
        if (!ALLOWED_GLOBALS.contains(q)) {
            throw error(at, "refusing global '" + q + "': a model checkpoint may only reference torch tensor "
                    + "rebuild functions, storage types and collections.OrderedDict; loading a model never runs code, "
                    + "and this file tries to (it may be malicious)");
        }
        return new Global(module, name);
    }

    private Object call(int at, Object fn, Object args) {
        if (!(fn instanceof Global g)) throw error(at, "REDUCE on a non-callable " + describe(fn));
        if (!(args instanceof Tuple t)) throw error(at, "REDUCE arguments are not a tuple");
        String q = g.qualified();
        switch (q) {
            case ORDERED_DICT -> {
                if (t.size() != 0) throw error(at, "OrderedDict with arguments is not supported");
                return new LinkedHashMap<>();
            }
            case REBUILD_V2 -> {
                if (t.size() < 4) throw error(at, q + " needs at least 4 arguments, got " + t.size());
                return new TensorRef(t.get(0), asLong(at, t.get(1)), longs(at, t.get(2)), longs(at, t.get(3)));
            }
            case REBUILD_PARAMETER -> {
                if (t.size() < 1 || !(t.get(0) instanceof TensorRef ref)) throw error(at, q + " needs a tensor");
                return ref;
            }
            case REBUILD_FROM_TYPE -> {
                // (func, new_type, args, state): re-dispatch func on args; only plain tensors and parameters.
                // torch never passes itself as func; refusing that keeps this call from recursing further.
                if (t.size() != 4 || !(t.get(0) instanceof Global f) || !(t.get(1) instanceof Global type)
                        || !TENSOR_TYPES.contains(type.qualified()) || f.qualified().equals(REBUILD_FROM_TYPE)) {
                    throw error(at, q + " is only accepted for torch.Tensor / Parameter, rebuilt by another function");
                }
                return call(at, f, t.get(2));
            }
            default -> throw error(at, "'" + q + "' cannot be called");
        }
    }

    private void build(int at, Object target, Object state) {
        // OrderedDict.__reduce__ puts its instance __dict__ (e.g. state_dict._metadata) in BUILD: metadata only
        if (target instanceof Map && (state == null || state instanceof Map)) return;
        if (target instanceof TensorRef) return; // tensor state (requires_grad, hooks) does not affect the data
        throw error(at, "BUILD on " + describe(target) + " is not allowed");
    }

    private Map<Object, Object> toDict(int at, List<Object> items, Map<Object, Object> into) {
        if (items.size() % 2 != 0) throw error(at, "malformed pickle: odd number of dict items");
        for (int i = 0; i < items.size(); i += 2) into.put(key(at, items.get(i)), items.get(i + 1));
        return into;
    }

    /**
     * A dict key: a scalar, so that hashing it is cheap and never walks a structure (a tuple or dict
     * key could hold itself through the memo, or share sub-tuples to make one hash cost 2^depth).
     */
    private Object key(int at, Object k) {
        if (k == null || k instanceof String || k instanceof Long || k instanceof Double || k instanceof Boolean) return k;
        throw error(at, "dict key is a " + describe(k) + "; a model checkpoint's dict keys are strings or numbers");
    }

    private Tuple tuple(int at, List<Object> items) {
        int depth = 1;
        for (Object o : items) {
            if (o instanceof Tuple t) depth = Math.max(depth, tupleDepth.getOrDefault(t, MAX_TUPLE_DEPTH) + 1);
        }
        if (depth > MAX_TUPLE_DEPTH) {
            throw error(at, "tuples nested more than " + MAX_TUPLE_DEPTH + " deep; a state dict needs 3");
        }
        Tuple t = new Tuple(items);
        tupleDepth.put(t, depth);
        return t;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(int at, Object o) {
        if (o instanceof Map<?, ?> m) return (Map<Object, Object>) m;
        throw error(at, "expected a dict, found " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(int at, Object o) {
        if (o instanceof List<?> l && !(o instanceof Tuple)) return (List<Object>) l;
        throw error(at, "expected a list, found " + describe(o));
    }

    private long asLong(int at, Object o) {
        if (o instanceof Long l) return l;
        throw error(at, "expected an int, found " + describe(o));
    }

    private long[] longs(int at, Object o) {
        if (!(o instanceof Tuple t)) throw error(at, "expected a tuple of ints, found " + describe(o));
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) out[i] = asLong(at, t.get(i));
        return out;
    }

    /** What a value is, for messages: never its contents, which may be deep, cyclic or huge. */
    static String describe(Object o) {
        if (o == null) return "None";
        if (o instanceof Global g) return "global " + g.qualified();
        if (o instanceof Tuple t) return "tuple of " + t.size();
        if (o instanceof List<?> l) return "list of " + l.size();
        if (o instanceof Map<?, ?> m) return "dict of " + m.size();
        return o.getClass().getSimpleName();
    }

    private static List<Object> listOf(Object... items) {
        List<Object> l = new ArrayList<>(items.length);
        for (Object o : items) l.add(o);
        return l;
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop(int at) {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw error(at, "malformed pickle: stack underflow");
        return stack.remove(stack.size() - 1);
    }

    private Object peek(int at) {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw error(at, "malformed pickle: stack underflow");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark(int at) {
        if (marks.isEmpty()) throw error(at, "malformed pickle: no MARK");
        int m = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private Object memoGet(int at, long key) {
        if (!memo.containsKey(key)) throw error(at, "malformed pickle: memo key " + key + " is unset");
        return memo.get(key);
    }

    private int u8() {
        return in.get() & 0xff;
    }

    private int len32(int at) {
        long n = in.getInt() & 0xffffffffL;
        if (n > in.remaining()) throw error(at, "truncated pickle: length " + n);
        return (int) n;
    }

    private int len64(int at) {
        long n = in.getLong();
        if (n < 0 || n > in.remaining()) throw error(at, "truncated pickle: length " + n);
        return (int) n;
    }

    private byte[] bytes(int at, int n) {
        if (n > in.remaining()) throw error(at, "truncated pickle");
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private String line(int at) {
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (!in.hasRemaining()) throw error(at, "truncated GLOBAL");
            byte c = in.get();
            if (c == '\n') return sb.toString();
            if (sb.length() > 1000) throw error(at, "GLOBAL name too long");
            sb.append((char) (c & 0xff));
        }
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Pickle LONG1/LONG4: little-endian two's complement. */
    private static Object longOf(byte[] le) {
        if (le.length == 0) return 0L;
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }
}
