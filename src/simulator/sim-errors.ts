/** Clockify-style error answers: HTTP status plus a body `{"message": ..., "code": <number>}`. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
  }
  body(): { message: string; code: number } {
    return { message: this.message, code: this.code };
  }
}

/** 400/501: what Clockify answers for unknown, deleted or foreign ids. */
export const notInWorkspace = (what: string) => new ApiError(400, 501, `${what} doesn't belong to Workspace`);
export const badRequest = (message: string, code = 501) => new ApiError(400, code, message);
/** 400/3000: a parameter that cannot be converted (echoes the input, as Clockify does). */
export const badParam = (name: string, value: string, type: string) =>
  new ApiError(400, 3000, `Method parameter '${name}': Failed to convert value of type 'java.lang.String' to required type '${type}'; For input string: "${value}"`);
export const noTokens = () => new ApiError(401, 1000, 'Multiple or none auth tokens present');
export const unknownKey = () => new ApiError(401, 4003, 'Api key does not exist');
export const badAddonToken = () => new ApiError(401, 4017, 'Token is not valid');
export const accessDenied = () => new ApiError(403, 403, 'Access Denied');
export const noRoute = (path: string) => new ApiError(404, 3000, `No static resource ${path.replace(/^\//, '')}.`);
