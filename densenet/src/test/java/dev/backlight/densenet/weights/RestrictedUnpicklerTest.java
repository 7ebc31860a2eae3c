package dev.backlight.densenet.weights;

import static dev.backlight.densenet.weights.PickleBytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.WeightsFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The restricted unpickler against pickles that CPython 3.11's own pickler wrote (protocol 2, the
 * bytes pasted below with the Python that made them), and against hand-made ones that break its
 * rules or limits.
 */
class RestrictedUnpicklerTest {

    private static Object load(byte[] pickle) throws IOException {
        return RestrictedUnpickler.load(PickleInput.of(pickle), "test.pkl");
    }

    private static Map<Object, Object> dict(Object value) {
        return assertInstanceOf(Pickled.Dict.class, value).entries();
    }

    /**
     * {@code pickle.dumps(v, protocol=2)} of
     * <pre>
     * v = {'ints': [0, 1, 255, 256, 65535, 65536, -1, -2**31, 2**31, 2**63-1, -2**63, 2**64, 2**80],
     *      'floats': [1.5, -0.0, 1e300, float('inf')],
     *      'strs': ['', 'ü✓', 'a'*300],
     *      'consts': [True, False, None],
     *      'tuples': [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
     *      'dict': {1: 'one', 'k': {}}}
     * </pre>
     */
    private static final String PYTHON_VALUES = "80027d7100285804000000696e747371015d7102284b004b014bff4d00014dffff4a00000100"
            + "4affffffff4a000000808a0500000080008a08ffffffffffffff7f8a0800000000000000808a090000000000000000018a0b00"
            + "00000000000000000001655806000000666c6f61747371035d710428473ff8000000000000478000000000000000477e37e43c"
            + "8800759c477ff00000000000006558040000007374727371055d710628580000000071075805000000c3bce29c937108582c01"
            + "0000" + "61".repeat(300) + "7109655806000000636f6e737473710a5d710b2888894e6558060000007475706c6573710c"
            + "5d710d28294b0185710e4b014b0286710f4b014b024b03877110284b014b024b034b047471116558040000006469637471127d"
            + "7113284b0158030000006f6e65711458010000006b71157d711675752e";

    @Test
    void readsWhatPythonsPicklerWrites() throws IOException {
        Map<Object, Object> v = dict(load(hex(PYTHON_VALUES)));
        assertEquals(List.of("ints", "floats", "strs", "consts", "tuples", "dict"), List.copyOf(v.keySet()));
        assertEquals(List.of(0L, 1L, 255L, 256L, 65535L, 65536L, -1L, -(1L << 31), 1L << 31, Long.MAX_VALUE,
                Long.MIN_VALUE, BigInteger.TWO.pow(64), BigInteger.TWO.pow(80)), v.get("ints"));
        List<?> floats = (List<?>) v.get("floats");
        assertEquals(List.of(1.5, -0.0, 1e300, Double.POSITIVE_INFINITY), floats);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) floats.get(1)));
        assertEquals(List.of("", "ü✓", "a".repeat(300)), v.get("strs"));
        assertEquals(java.util.Arrays.asList(true, false, null), v.get("consts"));
        List<?> tuples = (List<?>) v.get("tuples");
        for (int n = 0; n <= 4; n++) {
            Pickled.Tuple t = assertInstanceOf(Pickled.Tuple.class, tuples.get(n));
            assertEquals(n == 0 ? List.of() : List.of(1L, 2L, 3L, 4L).subList(0, n), t.items());
        }
        Map<Object, Object> inner = dict(v.get("dict"));
        assertEquals("one", inner.get(1L));
        assertTrue(dict(inner.get("k")).isEmpty());
    }

    @Test
    void memoizedValuesAreTheSameObject() throws IOException {
        // x = [1]; pickle.dumps([x, x], protocol=2)
        List<?> outer = assertInstanceOf(List.class, load(hex("80025d7100285d71014b01616801652e")));
        assertEquals(2, outer.size());
        assertSame(outer.get(0), outer.get(1));
        assertEquals(List.of(1L), outer.get(0));
    }

    @Test
    void readsAnOrderedDictWithTorchsMetadataUntouched() throws IOException {
        // od = OrderedDict([('a', 1), ('b', 2)]); od._metadata = {'': {'version': 1}}; pickle.dumps(od, 2)
        Object od = load(hex("800263636f6c6c656374696f6e730a4f726465726564446963740a7100295271012858010000006171024b0158"
                + "010000006271034b02757d710458090000005f6d6574616461746171057d7106580000000071077d710858070000007665"
                + "7273696f6e71094b01737373622e"));
        assertTrue(assertInstanceOf(Pickled.Dict.class, od).ordered());
        assertEquals(Map.of("a", 1L, "b", 2L), dict(od));
        assertEquals(List.of("a", "b"), List.copyOf(dict(od).keySet()));
    }

    @Test
    void readsTheOpcodesPythonsProtocol2PicklerDoesNotUse() throws IOException {
        // SHORT_BINSTRING (Python 2 str), NEWOBJ of OrderedDict, EMPTY_SET, LONG_BINPUT/LONG_BINGET, APPEND.
        byte[] pickle = PickleBytes.protocol2().op(']').raw('U', 3).raw("abc".getBytes()).op('a')
                .global("collections", "OrderedDict").op(')').raw(0x81).op('a')
                .raw(0x8f).op('a')
                .int1(7).longPut(70_000).op('a').raw('j', 0x70, 0x11, 0x01, 0x00).op('a').stop().bytes();
        List<?> list = assertInstanceOf(List.class, load(pickle));
        assertEquals("abc", list.get(0));
        assertTrue(assertInstanceOf(Pickled.Dict.class, list.get(1)).ordered());
        assertSame(Pickled.EmptySet.INSTANCE, list.get(2));
        assertEquals(List.of(7L, 7L), list.subList(3, 5));
    }

    @Test
    void aListThatHoldsItselfCostsNothing() throws IOException {
        // l = []; l.append(l): EMPTY_LIST, BINPUT 0, BINGET 0, APPEND.
        List<?> list = assertInstanceOf(List.class, load(hex("80025d7100680061" + "2e")));
        assertSame(list, list.get(0));
    }

    @Test
    void readsATensorReference() throws IOException {
        byte[] pickle = PickleBytes.protocol2()
                .tensor("HalfStorage", "0", 12, 2, new int[] {2, 3}, new int[] {1, 2}).stop().bytes();
        Map<String, Pickled.Storage> storages = new LinkedHashMap<>();
        Pickled.TensorRef t = assertInstanceOf(Pickled.TensorRef.class,
                RestrictedUnpickler.load(PickleInput.of(pickle), "t.pkl", storages));
        assertEquals(new Pickled.Storage(TorchStorageType.HALF, "0", 12, 0, 12), t.storage());
        assertEquals(2, t.offset());
        assertArrayEquals(new long[] {2, 3}, t.size());
        assertArrayEquals(new long[] {1, 2}, t.stride());
        assertEquals(Map.of("0", t.storage()), storages);
    }

    // ---- refusals ------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"posix system", "os system", "builtins eval", "builtins exec", "__builtin__ getattr",
        "subprocess Popen", "torch load", "torch._utils _rebuild_device_tensor_from_numpy", "collections defaultdict",
        "torch Tensor", "numpy.core.multiarray _reconstruct", "torch IntStorage"})
    void refusesEveryOtherGlobalByName(String global) {
        String[] parts = global.split(" ");
        byte[] pickle = PickleBytes.protocol2().global(parts[0], parts[1]).string("touch /tmp/x").raw(0x85).op('R')
                .stop().bytes();
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> load(pickle));
        assertEquals("global " + parts[0] + "." + parts[1], e.construct());
        assertTrue(e.getMessage().startsWith("test.pkl is refused"), e.getMessage());
        assertTrue(e.getMessage().contains("torch.save(model.state_dict()"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"i", "o", "\u0093", "\u0092", "\u0082", "P", "\u0095", "\u008c", "\u0090", "0", "d", "l"})
    void refusesOpcodesOutsideTheList(String opcode) {
        byte[] pickle = PickleBytes.protocol2().raw(opcode.charAt(0)).raw(new byte[16]).bytes();
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> load(pickle));
        assertTrue(e.construct().startsWith("opcode "), e.construct());
    }

    @Test
    void refusesCallsAnAllowedGlobalNeverReceives() {
        // A storage type called like a function; BUILD on and SETITEM into a list; an OrderedDict from arguments.
        assertThrows(UnsafePickleException.class, () -> load(PickleBytes.protocol2().global("torch", "FloatStorage")
                .op(')').op('R').stop().bytes()));
        assertThrows(UnsafePickleException.class, () -> load(PickleBytes.protocol2().op(']').op('}').op('b')
                .stop().bytes()));
        assertThrows(UnsafePickleException.class, () -> load(PickleBytes.protocol2().op(']').int1(1).int1(2).op('s')
                .stop().bytes()));
        assertThrows(WeightsFormatException.class, () -> load(PickleBytes.protocol2()
                .global("collections", "OrderedDict").op(']').raw(0x85).op('R').stop().bytes()));
    }

    @Test
    void refusesPersistentIdsThatAreNotStorages() {
        byte[] pickle = PickleBytes.protocol2().op('(').string("module").string("os").op('t').op('Q').stop().bytes();
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> load(pickle));
        assertEquals("persistent id", e.construct());
        assertTrue(e.getMessage().contains("'module'"), e.getMessage());
        assertThrows(UnsafePickleException.class, () -> load(PickleBytes.protocol2().string("storage").op('Q')
                .stop().bytes()));
    }

    @Test
    void refusesTensorsOutsideTheirStorage() {
        // 2x3 with strides (3, 1) from offset 7 reaches element 7 + 3 + 2 = 12 of a 12-element storage.
        byte[] beyond = PickleBytes.protocol2().tensor("FloatStorage", "0", 12, 7, new int[] {2, 3}, new int[] {3, 1})
                .stop().bytes();
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> load(beyond));
        assertTrue(e.getMessage().contains("reaches element 12"), e.getMessage());
        // The same tensor from offset 6 fits exactly.
        byte[] fits = PickleBytes.protocol2().tensor("FloatStorage", "0", 12, 6, new int[] {2, 3}, new int[] {3, 1})
                .stop().bytes();
        assertInstanceOf(Pickled.TensorRef.class, assertDoesNotThrowLoad(fits));
        byte[] negative = PickleBytes.protocol2().tensor("FloatStorage", "0", 12, 0, new int[] {-2}, new int[] {1})
                .stop().bytes();
        assertThrows(WeightsFormatException.class, () -> load(negative));
        byte[] overflow = PickleBytes.protocol2().tensor("FloatStorage", "0", 12, 0,
                new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE}, new int[] {0, 0, 0}).stop().bytes();
        assertTrue(assertThrows(WeightsFormatException.class, () -> load(overflow)).getMessage().contains("overflows"));
        byte[] badKey = PickleBytes.protocol2().storage("FloatStorage", "../../etc/passwd", 1).stop().bytes();
        assertThrows(WeightsFormatException.class, () -> load(badKey));
        byte[] twoSizes = PickleBytes.protocol2().op('(').storage("FloatStorage", "0", 4)
                .storage("FloatStorage", "0", 5).op('t').stop().bytes();
        assertTrue(assertThrows(WeightsFormatException.class, () -> load(twoSizes)).getMessage().contains("twice"));
    }

    private static Object assertDoesNotThrowLoad(byte[] pickle) {
        try {
            return load(pickle);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    // ---- limits and malformed pickles ---------------------------------------------------------

    @Test
    void refusesAStringLongerThanTheLimitBeforeAllocatingIt() {
        byte[] huge = PickleBytes.protocol2().raw('X', 0xff, 0xff, 0xff, 0x7f).stop().bytes();
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> load(huge));
        assertTrue(e.getMessage().contains("more than " + RestrictedUnpickler.MAX_STRING_BYTES), e.getMessage());
        byte[] truncated = PickleBytes.protocol2().raw('X', 100, 0, 0, 0).raw("short".getBytes()).bytes();
        assertTrue(assertThrows(WeightsFormatException.class, () -> load(truncated)).getMessage().contains("truncated"));
    }

    @Test
    void refusesTooManyNestedMarks() {
        PickleBytes p = PickleBytes.protocol2();
        for (int i = 0; i <= RestrictedUnpickler.MAX_MARK_DEPTH; i++) {
            p.op('(');
        }
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> load(p.stop().bytes()));
        assertTrue(e.getMessage().contains("nests more than"), e.getMessage());
    }

    @Test
    void refusesMoreMemoEntriesThanTheLimit() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x80, 2, 'N'});
        for (int i = 0; i <= RestrictedUnpickler.MAX_MEMO_ENTRIES; i++) {
            out.writeBytes(new byte[] {'r', (byte) i, (byte) (i >> 8), (byte) (i >> 16), 0});
        }
        out.write('.');
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> load(out.toByteArray()));
        assertTrue(e.getMessage().contains("memoizes more than"), e.getMessage());
    }

    @Test
    void refusesMalformedPickles() {
        String[] cases = {
            "8002",          // no STOP
            "80022e",        // STOP on an empty stack
            "80024e4e2e",    // two values left
            "8002612e",      // APPEND to nothing
            "800268052e",    // BINGET of an unwritten entry
            "8002742e",      // TUPLE without MARK
            "80024e28742874" + "2e", // marks left open
            "8002ff",        // not an opcode
            "8009",          // protocol 9
            "8002580200000061ff2e", // invalid UTF-8
            "80027d5d4e732e",       // a list as a dict key
            "8002636f730a",          // GLOBAL without its second line
        };
        for (String c : cases) {
            WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> load(hex(c)), c);
            assertTrue(e.getMessage().startsWith("test.pkl "), e.getMessage());
        }
    }

    @Test
    void namesAreSanitisedInMessages() {
        byte[] pickle = PickleBytes.protocol2().raw('c').raw("os\u001b[2J\n".getBytes()).raw("system\n".getBytes())
                .stop().bytes();
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> load(pickle));
        assertTrue(e.construct().equals("global os?[2J.system"), e.construct());
        assertNull(PickleGlobal.find("os", "system"));
    }
}
