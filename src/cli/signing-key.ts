import type { Command } from './args.js';

/** `mintid signing-key`: a new private ES256 JWK for MINTID_SIGNING_KEYS, on stdout. */
export const signingKeyCommand: Command = {
  summary: 'print a new private ES256 signing JWK (kid = its thumbprint) for MINTID_SIGNING_KEYS',
  description: 'Treat the output as a secret: npx mintid signing-key > next-key.json',
  async run() {
    const { generateSigningKey } = await import('../secrets/signing-key.js');
    console.log(JSON.stringify(await generateSigningKey()));
    return 0;
  },
};
