package dev.speechmamba.serve;

/**
 * A request that ends in an error response shaped like OpenAI's:
 * {@code {"error": {"message", "type", "param", "code"}}} with the given HTTP status.
 */
final class ApiException extends Exception {

    final int status;
    final String type;
    final String code;
    final String param;

    ApiException(int status, String type, String code, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    static ApiException invalid(String code, String param, String message) {
        return new ApiException(400, "invalid_request_error", code, param, message);
    }
}
