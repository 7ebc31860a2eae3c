package dev.backlight.densenet.weights;

import dev.backlight.api.WeightsFormatException;

/**
 * A PyTorch checkpoint uses a pickle construct that Backlight's restricted unpickler refuses: a
 * global outside its allow-list (a function or class such as {@code posix.system},
 * {@code builtins.eval} or {@code torchvision.models.densenet.DenseNet}), an opcode outside its
 * allow-list, or a persistent id that is not a tensor storage. These constructs are how pickles
 * run code when loaded; Backlight never runs, instantiates or looks up anything by name, so it
 * refuses them before reading any tensor. The message names the construct and says how to save
 * the weights alone ({@code torch.save(model.state_dict(), path)}).
 */
public class UnsafePickleException extends WeightsFormatException {
    private static final long serialVersionUID = 1L;

    /** What was refused, e.g. {@code global posix.system} or {@code opcode INST}. */
    private final String construct;

    /**
     * @param construct what was refused, e.g. {@code global posix.system}
     * @param message the whole message, naming the file and the construct
     */
    public UnsafePickleException(String construct, String message) {
        super(message);
        this.construct = construct;
    }

    /** What was refused: {@code global <module>.<name>}, {@code opcode <NAME>} or {@code persistent id}. */
    public String construct() {
        return construct;
    }
}
