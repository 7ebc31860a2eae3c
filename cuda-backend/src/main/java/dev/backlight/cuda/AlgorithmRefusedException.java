package dev.backlight.cuda;

/**
 * cuDNN refused a convolution algorithm for a geometry before running anything
 * ({@code NOT_SUPPORTED}, {@code BAD_PARAM}): the caller tries the next candidate. Internal to
 * the backend; when no candidate is left it becomes a {@link CudaException}.
 */
final class AlgorithmRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AlgorithmRefusedException(String message) {
        super(message, null, false, false);
    }
}
