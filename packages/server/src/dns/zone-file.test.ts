import { describe, expect, it } from 'vitest';
import { quoteString, renderZoneFile } from './zone-file.js';
import { buildZone } from './zones.repo.js';

describe('quoteString', () => {
  it('escapes quotes and backslashes, and writes other bytes as \\DDD', () => {
    expect(quoteString('say "hi" \\ now')).toBe('"say \\"hi\\" \\\\ now"');
    expect(quoteString('é\t')).toBe('"\\195\\169\\009"');
  });
});

describe('renderZoneFile', () => {
  it('writes owners relative to $ORIGIN and host names fully qualified', () => {
    const zone = buildZone(
      { name: 'example.co.zm', serial: 1700000000 },
      [
        { name: '*.dev', type: 'CNAME', content: 'example.co.zm', ttl: 60, priority: null },
        { name: 'x', type: 'TXT', content: 'a'.repeat(256), ttl: 60, priority: null },
      ],
      { nameservers: ['ns1.swiftcloud.zm'], hostmaster: 'hostmaster.swiftcloud.zm' },
    );
    expect(renderZoneFile(zone).split('\n')).toEqual([
      '; example.co.zm, serial 1700000000, exported by SwiftCloud',
      '$ORIGIN example.co.zm.',
      '@\t3600\tIN\tSOA\tns1.swiftcloud.zm. hostmaster.swiftcloud.zm. 1700000000 3600 600 1209600 300',
      '@\t3600\tIN\tNS\tns1.swiftcloud.zm.',
      '*.dev\t60\tIN\tCNAME\texample.co.zm.',
      `x\t60\tIN\tTXT\t"${'a'.repeat(255)}" "a"`,
      '',
    ]);
  });
});
