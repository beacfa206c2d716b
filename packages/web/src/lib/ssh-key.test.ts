import { describe, expect, it } from 'vitest';
import { sshKeyProblem } from './ssh-key';

const ed25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0dW3nIcM1ePp3m2fr6hBWCm1WQkPP6Wb2dCp8r+Xx ada@laptop';

describe('SSH key feedback while typing', () => {
  it('accepts a whole OpenSSH public key', () => {
    expect(sshKeyProblem(ed25519)).toBeNull();
    expect(sshKeyProblem(`  ${ed25519}\n`)).toBeNull();
  });

  it('asks for a key when the field is empty', () => {
    expect(sshKeyProblem('')).toMatch(/Paste your public key/);
  });

  it('refuses a private key, saying so', () => {
    expect(sshKeyProblem('-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn...')).toMatch(/private key/);
  });

  it('names the expected key types for something else', () => {
    expect(sshKeyProblem('hello world')).toMatch(/starts with ssh-ed25519/);
  });

  it('catches a key cut short', () => {
    expect(sshKeyProblem('ssh-ed25519 AAAAC3Nza')).toMatch(/cut short/);
  });
});
