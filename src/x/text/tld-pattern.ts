import { createRequire } from 'node:module';

// `tlds` ships a JSON main; createRequire loads it on every Node 20 (JSON import attributes are 20.10+).
const TLDS = createRequire(import.meta.url)('tlds') as string[];

/**
 * Regex source matching any of `words`, longest first, factored by common prefixes
 * (`c(?:o(?:m|op)?|at)`). A flat alternation of ~1,500 TLDs is tried word by word at every
 * position and made URL extraction ten times slower.
 */
export function prefixTreePattern(words: readonly string[]): string {
  const children = new Map<string, string[]>();
  let endsHere = false;
  for (const word of words) {
    if (word === '') {
      endsHere = true;
      continue;
    }
    const rests = children.get(word[0]!) ?? [];
    rests.push(word.slice(1));
    children.set(word[0]!, rests);
  }
  const branches = [...children].map(([first, rests]) => escapeForPattern(first) + prefixTreePattern(rests));
  if (branches.length === 0) return '';
  if (branches.length === 1 && !endsHere) return branches[0]!;
  // An empty last alternative makes the node optional while preferring the longer words.
  return `(?:${branches.join('|')}${endsHere ? '|' : ''})`;
}

function escapeForPattern(character: string): string {
  return character.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Every delegated top-level domain (IANA, via the `tlds` package), in lower case. */
export const TLD_ALTERNATION = prefixTreePattern(TLDS.map((tld) => tld.toLowerCase()));
