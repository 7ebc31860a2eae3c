package dev.backlight.densenet.weights;

import dev.backlight.api.WeightsFormatException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A pickle reader of our own that understands exactly what a PyTorch state dict needs and refuses
 * everything else. It is an interpreter of 34 opcodes (those PyTorch's {@code weights_only}
 * unpickler accepts) over the plain values of {@link Pickled}; the nine globals of
 * {@link PickleGlobal} are the only callables, each with a fixed meaning (a tensor, an ordered
 * dict); a persistent id must name a tensor storage. Nothing is ever instantiated, called or
 * looked up by name, so a hostile pickle can describe code but never run it: it is refused with an
 * {@link UnsafePickleException} naming the global or opcode.
 *
 * <p>Limits keep hostile input small: {@value #MAX_MEMO_ENTRIES} memo entries, a stack of
 * {@value #MAX_STACK} values, {@value #MAX_MARK_DEPTH} nested marks (containers being filled),
 * strings of {@value #MAX_STRING_BYTES} bytes, tensors of {@value #MAX_DIMS} dimensions; every
 * length is checked against the bytes left before anything is allocated; offsets, sizes and
 * strides of tensors are checked against their storage's element count. Dict keys must be
 * scalars, and containers are never hashed or printed, so self-referencing containers cost
 * nothing. Everything the unpickler builds costs memory proportional to the bytes read.
 *
 * <p>One instance reads one pickle; not thread-safe.
 */
final class RestrictedUnpickler {
    static final int MAX_MEMO_ENTRIES = 1 << 20;
    static final int MAX_STACK = 1 << 20;
    static final int MAX_MARK_DEPTH = 64;
    static final int MAX_STRING_BYTES = 1 << 20;
    static final int MAX_DIMS = 32;
    private static final int MAX_GLOBAL_LINE = 256;
    private static final Pattern STORAGE_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private static final String SAVE_WEIGHTS_ONLY = "save the weights alone with"
            + " torch.save(model.state_dict(), 'weights.pth') (for a training checkpoint,"
            + " torch.save(checkpoint['state_dict'], 'weights.pth')) and pass that file";

    private final String source;
    private final PickleInput in;
    private final List<Object> stack = new ArrayList<>();
    private final int[] marks = new int[MAX_MARK_DEPTH];
    private int markDepth;
    private final Map<Long, Object> memo = new HashMap<>();
    /** Every storage a persistent id named, by key, to check that they agree and for legacy files. */
    private final Map<String, Pickled.Storage> storages;
    private long opcodeAt;

    /**
     * @param source how messages name the pickle, e.g. {@code model.pth (data.pkl)}
     * @param storages where the storages that persistent ids name are collected (shared by the
     *     pickles of one file)
     */
    private RestrictedUnpickler(String source, PickleInput in, Map<String, Pickled.Storage> storages) {
        this.source = source;
        this.in = in;
        this.storages = storages;
    }

    /**
     * Reads one pickle from {@code in}, up to and including its STOP opcode.
     *
     * @param storages collects the storages its persistent ids name, by key
     * @return the pickled value, built from {@link Pickled}'s types
     * @throws UnsafePickleException if it uses a global, opcode or persistent id outside the
     *     allow-lists
     * @throws WeightsFormatException if it is malformed, truncated or exceeds a limit
     * @throws IOException if reading fails
     */
    static Object load(PickleInput in, String source, Map<String, Pickled.Storage> storages) throws IOException {
        return new RestrictedUnpickler(source, in, storages).run();
    }

    /** Reads one pickle that may not reference storages. */
    static Object load(PickleInput in, String source) throws IOException {
        return load(in, source, new LinkedHashMap<>());
    }

    private Object run() throws IOException {
        while (true) {
            opcodeAt = in.position();
            int op = in.read();
            if (op < 0) {
                throw malformed("ends before its STOP opcode (the file is truncated)");
            }
            switch (op) {
                case 0x80: // PROTO
                    int protocol = u8();
                    if (protocol < 2 || protocol > 5) {
                        throw malformed("declares pickle protocol " + protocol + "; torch.save writes protocol 2");
                    }
                    break;
                case '.': // STOP
                    if (stack.size() != 1 || markDepth != 0) {
                        throw malformed("stops with " + stack.size() + " values and " + markDepth
                                + " open marks instead of one value");
                    }
                    return stack.get(0);
                case '(': // MARK
                    if (markDepth == MAX_MARK_DEPTH) {
                        throw limit("nests more than " + MAX_MARK_DEPTH + " marks");
                    }
                    marks[markDepth++] = stack.size();
                    break;
                case 'N': // NONE
                    push(null);
                    break;
                case 0x88: // NEWTRUE
                    push(Boolean.TRUE);
                    break;
                case 0x89: // NEWFALSE
                    push(Boolean.FALSE);
                    break;
                case 'K': // BININT1
                    push((long) u8());
                    break;
                case 'M': // BININT2
                    push((long) (u8() | u8() << 8));
                    break;
                case 'J': // BININT
                    push((long) (int) u32());
                    break;
                case 0x8a: // LONG1
                    push(long1());
                    break;
                case 'G': // BINFLOAT, big-endian
                    push(ByteBuffer.wrap(bytes(8)).getDouble());
                    break;
                case 'X': // BINUNICODE
                    push(utf8(bytes(length(u32()))));
                    break;
                case 'U': // SHORT_BINSTRING: a Python 2 str, decoded as torch.load does (UTF-8)
                    push(utf8(bytes(u8())));
                    break;
                case ')': // EMPTY_TUPLE
                    push(new Pickled.Tuple());
                    break;
                case 0x85: // TUPLE1
                    push(new Pickled.Tuple(pop()));
                    break;
                case 0x86: { // TUPLE2
                    Object b = pop();
                    Object a = pop();
                    push(new Pickled.Tuple(a, b));
                    break;
                }
                case 0x87: { // TUPLE3
                    Object c = pop();
                    Object b = pop();
                    Object a = pop();
                    push(new Pickled.Tuple(a, b, c));
                    break;
                }
                case 't': // TUPLE
                    push(new Pickled.Tuple(popToMark().toArray()));
                    break;
                case ']': // EMPTY_LIST
                    push(new ArrayList<>());
                    break;
                case '}': // EMPTY_DICT
                    push(new Pickled.Dict(false));
                    break;
                case 0x8f: // EMPTY_SET
                    push(Pickled.EmptySet.INSTANCE);
                    break;
                case 'a': { // APPEND
                    Object item = pop();
                    list(peek(), "APPEND").add(item);
                    break;
                }
                case 'e': { // APPENDS
                    List<Object> items = popToMark();
                    list(peek(), "APPENDS").addAll(items);
                    break;
                }
                case 's': { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    put(dict(peek(), "SETITEM"), key, value);
                    break;
                }
                case 'u': { // SETITEMS
                    List<Object> items = popToMark();
                    Pickled.Dict d = dict(peek(), "SETITEMS");
                    if (items.size() % 2 != 0) {
                        throw malformed("gives SETITEMS an odd number of values (" + items.size() + ")");
                    }
                    for (int i = 0; i < items.size(); i += 2) {
                        put(d, items.get(i), items.get(i + 1));
                    }
                    break;
                }
                case 'q': // BINPUT
                    memoPut(u8());
                    break;
                case 'r': // LONG_BINPUT
                    memoPut(u32());
                    break;
                case 'h': // BINGET
                    memoGet(u8());
                    break;
                case 'j': // LONG_BINGET
                    memoGet(u32());
                    break;
                case 'c': { // GLOBAL
                    String module = line();
                    String name = line();
                    PickleGlobal g = PickleGlobal.find(module, name);
                    if (g == null) {
                        throw refusedGlobal(module, name);
                    }
                    push(g);
                    break;
                }
                case 'R': { // REDUCE
                    Object args = pop();
                    Object callable = pop();
                    push(reduce(callable, args));
                    break;
                }
                case 0x81: { // NEWOBJ
                    Object args = pop();
                    Object cls = pop();
                    if (cls != PickleGlobal.ORDERED_DICT || !(args instanceof Pickled.Tuple)
                            || ((Pickled.Tuple) args).size() != 0) {
                        throw refusedCall("NEWOBJ", cls);
                    }
                    push(new Pickled.Dict(true));
                    break;
                }
                case 'b': { // BUILD
                    Object state = pop();
                    Object target = peek();
                    // torch.save(model.state_dict()) sets the OrderedDict's _metadata attribute (version
                    // numbers per module); it is not part of the entries and is dropped unread.
                    if (!(target instanceof Pickled.Dict) || !(state == null || state instanceof Pickled.Dict)) {
                        throw unsafe("BUILD on " + Pickled.typeName(target), "sets the state of a "
                                + Pickled.typeName(target) + " from a " + Pickled.typeName(state)
                                + ", which only objects with code do");
                    }
                    break;
                }
                case 'Q': // BINPERSID
                    push(persistentStorage(pop()));
                    break;
                default:
                    throw refusedOpcode(op);
            }
        }
    }

    // ---- the allowed calls ----------------------------------------------------------------------

    private Object reduce(Object callable, Object argsValue) {
        if (!(callable instanceof PickleGlobal) || !(argsValue instanceof Pickled.Tuple)) {
            throw refusedCall("REDUCE", callable);
        }
        Pickled.Tuple args = (Pickled.Tuple) argsValue;
        switch ((PickleGlobal) callable) {
            case ORDERED_DICT:
                if (args.size() != 0) {
                    throw malformed("builds an OrderedDict from arguments; torch.save passes none");
                }
                return new Pickled.Dict(true);
            case REBUILD_TENSOR_V2:
                // (storage, offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (args.size() != 6 && args.size() != 7) {
                    throw malformed("calls _rebuild_tensor_v2 with " + args.size() + " arguments instead of 6 or 7");
                }
                if (!(args.get(4) instanceof Boolean) || !(args.get(5) instanceof Pickled.Dict)) {
                    throw malformed("calls _rebuild_tensor_v2 with a " + Pickled.typeName(args.get(4)) + " and a "
                            + Pickled.typeName(args.get(5)) + " where a bool and backward hooks belong");
                }
                return tensor(args);
            case REBUILD_TENSOR:
                if (args.size() != 4) {
                    throw malformed("calls _rebuild_tensor with " + args.size() + " arguments instead of 4");
                }
                return tensor(args);
            case REBUILD_PARAMETER:
                // (tensor, requires_grad, backward_hooks): an nn.Parameter is its tensor here.
                if (args.size() != 3 || !(args.get(0) instanceof Pickled.TensorRef)) {
                    throw malformed("calls _rebuild_parameter without a tensor and two arguments");
                }
                return args.get(0);
            default:
                throw refusedCall("REDUCE", callable);
        }
    }

    private Pickled.TensorRef tensor(Pickled.Tuple args) {
        if (!(args.get(0) instanceof Pickled.Storage)) {
            throw malformed("rebuilds a tensor from a " + Pickled.typeName(args.get(0)) + " instead of a storage");
        }
        Pickled.Storage storage = (Pickled.Storage) args.get(0);
        long offset = nonNegative(args.get(1), "storage offset");
        long[] size = longs(args.get(2), "size");
        long[] stride = longs(args.get(3), "stride");
        if (size.length != stride.length) {
            throw malformed("rebuilds a tensor of " + size.length + " dimensions with " + stride.length + " strides");
        }
        // The last element read is offset + sum((size - 1) * stride); it must lie inside the storage.
        try {
            long numel = 1;
            long last = offset;
            for (int i = 0; i < size.length; i++) {
                numel = Math.multiplyExact(numel, size[i]);
                if (size[i] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
                }
            }
            if (numel > 0 && last >= storage.numel()) {
                throw malformed("rebuilds a tensor of size " + Arrays.toString(size) + ", stride "
                        + Arrays.toString(stride) + " from offset " + offset + " that reaches element " + last
                        + " of storage '" + storage.key() + "', which holds " + storage.numel());
            }
        } catch (ArithmeticException e) {
            throw malformed("rebuilds a tensor of size " + Arrays.toString(size) + " and stride "
                    + Arrays.toString(stride) + " whose extent overflows 64 bits");
        }
        return new Pickled.TensorRef(storage, offset, size, stride);
    }

    private long[] longs(Object value, String what) {
        if (!(value instanceof Pickled.Tuple)) {
            throw malformed("gives a tensor's " + what + " as a " + Pickled.typeName(value) + " instead of a tuple");
        }
        Pickled.Tuple t = (Pickled.Tuple) value;
        if (t.size() > MAX_DIMS) {
            throw limit("gives a tensor " + t.size() + " dimensions, more than " + MAX_DIMS);
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = nonNegative(t.get(i), what);
        }
        return out;
    }

    private long nonNegative(Object value, String what) {
        if (!(value instanceof Long) || (Long) value < 0) {
            throw malformed("gives a tensor's " + what + " as " + (value instanceof Long ? value.toString()
                    : "a " + Pickled.typeName(value)) + " instead of a non-negative int");
        }
        return (Long) value;
    }

    /**
     * A persistent id: {@code ('storage', type, key, location, numel)} in zip checkpoints, with a
     * sixth item (None, or {@code (view_key, offset, size)}) in legacy ones. The location
     * ({@code cpu}, {@code cuda:0}) does not matter here.
     */
    private Pickled.Storage persistentStorage(Object pid) {
        if (!(pid instanceof Pickled.Tuple) || ((Pickled.Tuple) pid).size() == 0
                || !"storage".equals(((Pickled.Tuple) pid).get(0))) {
            throw unsafe("persistent id", "has a persistent id that is a " + describePid(pid)
                    + " instead of a tensor storage; persistent ids other than storages ask the loader to"
                    + " produce objects from outside the pickle");
        }
        Pickled.Tuple t = (Pickled.Tuple) pid;
        if (t.size() != 5 && t.size() != 6) {
            throw malformed("has a storage persistent id of " + t.size() + " items instead of 5 or 6");
        }
        Object type = t.get(1);
        if (!(type instanceof PickleGlobal) || ((PickleGlobal) type).storage() == null) {
            throw malformed("names a storage of type " + Pickled.typeName(type));
        }
        if (!(t.get(2) instanceof String) || !STORAGE_KEY.matcher((String) t.get(2)).matches()) {
            throw malformed("names a storage by a key that is not 1 to 64 letters, digits, '_', '.' or '-'");
        }
        if (!(t.get(3) instanceof String)) {
            throw malformed("gives a storage location that is a " + Pickled.typeName(t.get(3)));
        }
        String key = (String) t.get(2);
        TorchStorageType storageType = ((PickleGlobal) type).storage();
        long numel = count(t.get(4), "storage size");
        Pickled.Storage root = new Pickled.Storage(storageType, key, numel, 0, numel);
        Pickled.Storage known = storages.putIfAbsent(key, root);
        if (known != null && (known.type() != storageType || known.rootNumel() != numel)) {
            throw malformed("names storage '" + key + "' twice with different types or sizes");
        }
        if (t.size() == 6 && t.get(5) != null) {
            // A legacy view: (view_key, offset, size) inside the root storage.
            if (!(t.get(5) instanceof Pickled.Tuple) || ((Pickled.Tuple) t.get(5)).size() != 3) {
                throw malformed("gives storage view metadata that is not (key, offset, size)");
            }
            Pickled.Tuple view = (Pickled.Tuple) t.get(5);
            long offset = count(view.get(1), "storage view offset");
            long size = count(view.get(2), "storage view size");
            if (offset > numel || size > numel - offset) {
                throw malformed("has a view of " + size + " elements at " + offset + " of storage '" + key
                        + "', which holds " + numel);
            }
            return new Pickled.Storage(storageType, key, numel, offset, size);
        }
        return root;
    }

    private long count(Object value, String what) {
        if (!(value instanceof Long) || (Long) value < 0) {
            throw malformed("gives a " + what + " that is not a non-negative int");
        }
        return (Long) value;
    }

    private static String describePid(Object pid) {
        if (pid instanceof Pickled.Tuple && ((Pickled.Tuple) pid).size() > 0
                && ((Pickled.Tuple) pid).get(0) instanceof String) {
            return "tuple tagged '" + printable((String) ((Pickled.Tuple) pid).get(0)) + "'";
        }
        return Pickled.typeName(pid);
    }

    // ---- containers, memo, stack ----------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private List<Object> list(Object target, String op) {
        if (!(target instanceof ArrayList)) {
            throw unsafe(op + " on " + Pickled.typeName(target), "appends to a " + Pickled.typeName(target)
                    + ", which only objects with code accept");
        }
        return (List<Object>) target;
    }

    private Pickled.Dict dict(Object target, String op) {
        if (!(target instanceof Pickled.Dict)) {
            throw unsafe(op + " on " + Pickled.typeName(target), "sets items of a " + Pickled.typeName(target)
                    + ", which only objects with code accept");
        }
        return (Pickled.Dict) target;
    }

    private void put(Pickled.Dict d, Object key, Object value) {
        if (!(key == null || key instanceof String || key instanceof Long || key instanceof Boolean
                || key instanceof Double || key instanceof BigInteger)) {
            throw malformed("uses a " + Pickled.typeName(key) + " as a dict key; state dicts use strings and ints");
        }
        d.entries().put(key, value);
    }

    private void memoPut(long index) {
        if (stack.isEmpty()) {
            throw malformed("memoizes from an empty stack");
        }
        if (memo.size() >= MAX_MEMO_ENTRIES && !memo.containsKey(index)) {
            throw limit("memoizes more than " + MAX_MEMO_ENTRIES + " values");
        }
        memo.put(index, peek());
    }

    private void memoGet(long index) {
        Object value = memo.get(index);
        if (value == null && !memo.containsKey(index)) {
            throw malformed("reads memo entry " + index + ", which was never written");
        }
        push(value);
    }

    private void push(Object value) {
        if (stack.size() >= MAX_STACK) {
            throw limit("stacks more than " + MAX_STACK + " values");
        }
        stack.add(value);
    }

    private Object pop() {
        if (stack.size() <= (markDepth == 0 ? 0 : marks[markDepth - 1])) {
            throw malformed("pops a value from an empty stack");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.size() <= (markDepth == 0 ? 0 : marks[markDepth - 1])) {
            throw malformed("needs a value on an empty stack");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popToMark() {
        if (markDepth == 0) {
            throw malformed("closes a mark that was never opened");
        }
        int from = marks[--markDepth];
        List<Object> tail = stack.subList(from, stack.size());
        List<Object> items = new ArrayList<>(tail);
        tail.clear();
        return items;
    }

    // ---- primitive reads ------------------------------------------------------------------------

    private int u8() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw malformed("ends inside an opcode's argument (the file is truncated)");
        }
        return b;
    }

    private long u32() throws IOException {
        return (u8() | u8() << 8 | u8() << 16 | (long) u8() << 24) & 0xffffffffL;
    }

    private int length(long n) {
        if (n > MAX_STRING_BYTES) {
            throw limit("holds a string of " + n + " bytes, more than " + MAX_STRING_BYTES);
        }
        return (int) n;
    }

    private byte[] bytes(int n) throws IOException {
        if (n > in.remaining()) {
            throw malformed("needs " + n + " more bytes but only " + in.remaining() + " remain (the file is truncated)");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private Object long1() throws IOException {
        byte[] le = bytes(u8());
        if (le.length == 0) {
            return 0L;
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        BigInteger value = new BigInteger(be);
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private String utf8(byte[] bytes) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw malformed("holds a string that is not valid UTF-8");
        }
    }

    /** A GLOBAL argument: printable ASCII up to a newline. */
    private String line() throws IOException {
        StringBuilder s = new StringBuilder();
        while (true) {
            int b = u8();
            if (b == '\n') {
                return s.toString();
            }
            if (s.length() == MAX_GLOBAL_LINE) {
                throw malformed("names a global longer than " + MAX_GLOBAL_LINE + " characters");
            }
            s.append(b >= 0x20 && b < 0x7f ? (char) b : '?');
        }
    }

    // ---- errors ---------------------------------------------------------------------------------

    private WeightsFormatException malformed(String what) {
        return new WeightsFormatException(source + " is not a well-formed PyTorch checkpoint: its pickle " + what
                + " (opcode at byte " + opcodeAt + "); save it again with torch.save(model.state_dict(), path)");
    }

    private WeightsFormatException limit(String what) {
        return new WeightsFormatException(source + " is refused: its pickle " + what + " (opcode at byte " + opcodeAt
                + "), beyond what any DenseNet state dict needs; " + SAVE_WEIGHTS_ONLY);
    }

    private UnsafePickleException unsafe(String construct, String what) {
        return new UnsafePickleException(construct, source + " is refused: its pickle " + what
                + " (opcode at byte " + opcodeAt + "). Backlight reads tensors, dicts, lists and numbers and never runs"
                + " code from a weights file; " + SAVE_WEIGHTS_ONLY);
    }

    private UnsafePickleException refusedGlobal(String module, String name) {
        String global = module + "." + name;
        boolean model = module.startsWith("torch.nn") || module.startsWith("torchvision") || module.startsWith("timm")
                || module.equals("__main__") || module.startsWith("torch.optim");
        String what = model
                ? "holds a whole pickled object (" + global + "), not just tensors: this file pickles a model"
                        + " or other objects whose code would run when loaded"
                : "calls or builds " + global + ": this file pickles code or a whole model, and loading it"
                        + " with Python's pickle would run " + global;
        return new UnsafePickleException("global " + global, source + " is refused: its pickle " + what
                + " (opcode at byte " + opcodeAt + "). Backlight's restricted unpickler accepts only "
                + allowedGlobals() + "; " + SAVE_WEIGHTS_ONLY);
    }

    private UnsafePickleException refusedCall(String op, Object callable) {
        return unsafe(op + " of " + Pickled.typeName(callable), "applies " + op + " to a "
                + Pickled.typeName(callable) + " in a way a state dict never does");
    }

    private UnsafePickleException refusedOpcode(int op) {
        String name = OPCODE_NAMES.get(op);
        if (name == null) {
            throw malformed("has byte 0x" + Integer.toHexString(op) + ", which is not a pickle opcode");
        }
        String hint = op == 0x95 || op == 0x8c || op == 0x94 || op == 0x93
                ? " (it was saved with pickle_protocol 4 or 5: save it again with torch.save's default protocol)"
                : "";
        return unsafe("opcode " + name, "uses opcode " + name + ", which the restricted unpickler does not accept"
                + hint);
    }

    private static String allowedGlobals() {
        List<String> names = new ArrayList<>();
        for (PickleGlobal g : PickleGlobal.values()) {
            names.add(g.toString());
        }
        return String.join(", ", names);
    }

    /** Printable ASCII of at most 64 characters, for naming things from the file in messages. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 64; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > 64 ? out + "..." : out.toString();
    }

    /** Every pickle opcode by byte, to name the refused ones. */
    private static final Map<Integer, String> OPCODE_NAMES;

    static {
        Map<Integer, String> m = new HashMap<>();
        String[] pairs = {
            "(", "MARK", ".", "STOP", "0", "POP", "1", "POP_MARK", "2", "DUP", "F", "FLOAT", "I", "INT",
            "J", "BININT", "K", "BININT1", "L", "LONG", "M", "BININT2", "N", "NONE", "P", "PERSID",
            "Q", "BINPERSID", "R", "REDUCE", "S", "STRING", "T", "BINSTRING", "U", "SHORT_BINSTRING",
            "V", "UNICODE", "X", "BINUNICODE", "a", "APPEND", "b", "BUILD", "c", "GLOBAL", "d", "DICT",
            "}", "EMPTY_DICT", "e", "APPENDS", "g", "GET", "h", "BINGET", "i", "INST", "j", "LONG_BINGET",
            "l", "LIST", "]", "EMPTY_LIST", "o", "OBJ", "p", "PUT", "q", "BINPUT", "r", "LONG_BINPUT",
            "s", "SETITEM", "t", "TUPLE", ")", "EMPTY_TUPLE", "u", "SETITEMS", "G", "BINFLOAT",
            "B", "BINBYTES", "C", "SHORT_BINBYTES"};
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((int) pairs[i].charAt(0), pairs[i + 1]);
        }
        String[] high = {"PROTO", "NEWOBJ", "EXT1", "EXT2", "EXT4", "TUPLE1", "TUPLE2", "TUPLE3", "NEWTRUE",
            "NEWFALSE", "LONG1", "LONG4", "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES8", "EMPTY_SET",
            "ADDITEMS", "FROZENSET", "NEWOBJ_EX", "STACK_GLOBAL", "MEMOIZE", "FRAME", "BYTEARRAY8",
            "NEXT_BUFFER", "READONLY_BUFFER"};
        for (int i = 0; i < high.length; i++) {
            m.put(0x80 + i, high[i]);
        }
        OPCODE_NAMES = Collections.unmodifiableMap(m);
    }
}
