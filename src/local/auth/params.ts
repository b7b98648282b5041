import { z } from 'zod';

// The request bodies of the /auth/v1 routes: Supabase Auth's params structs (JSON field names and
// types); absent and null fields are alike, unknown fields are ignored, as Go's encoding/json does.
const text = z.string().nullish();

/** POST /token?grant_type=password (Supabase Auth's PasswordGrantParams). */
export const passwordGrantParams = z.looseObject({ email: text, phone: text, password: text });

/** POST /token?grant_type=refresh_token (RefreshTokenGrantParams). */
export const refreshTokenGrantParams = z.looseObject({ refresh_token: text });

/** POST /signup (SignupParams; `data` becomes the user's user_metadata). */
export const signupParams = z.looseObject({ email: text, phone: text, password: text, data: z.record(z.string(), z.unknown()).nullish() });
