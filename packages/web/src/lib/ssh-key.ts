const KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
];

/**
 * A first look at a pasted SSH public key, so the form can say what is wrong while it is
 * typed; the API makes the full check (key size, curve) and its message wins on submit.
 * Answers null when the key looks right.
 */
export function sshKeyProblem(value: string): string | null {
  const key = value.trim();
  if (key === '') return 'Paste your public key, such as the contents of ~/.ssh/id_ed25519.pub';
  if (/PRIVATE KEY/.test(key)) {
    return 'This is a private key: never share it. Paste the public key (the .pub file) instead.';
  }
  if (/[\r\n]/.test(key)) return 'Paste one key, on one line';
  const [type, body] = key.split(/\s+/);
  if (!type || !KEY_TYPES.includes(type)) {
    return `An OpenSSH public key starts with ${KEY_TYPES.slice(0, 3).join(', ')} or similar`;
  }
  if (!body || !/^[A-Za-z0-9+/]+={0,3}$/.test(body) || body.length < 60) {
    return 'The key after its type looks cut short or damaged; copy the whole line again';
  }
  return null;
}
