/** The "generated, do not edit" header for text files whose format has line comments. */
import { GENERATED_MARKER } from '../constants';

const HASH_COMMENT = /\.(ya?ml|sh|bash|toml|conf|cfg|ini|env|properties|tf|hcl)$/;

export function withHeader(path: string, content: string, adapter: string, platform: string): string {
  if (!HASH_COMMENT.test(path)) return content;
  const header = `# ${GENERATED_MARKER[0]} from adapters/${adapter} for platform ${platform}. ${GENERATED_MARKER[1]}; run "ztc render ${platform}".\n`;
  // Keep a shebang on the first line of scripts.
  if (content.startsWith('#!')) {
    const nl = content.indexOf('\n');
    return nl === -1 ? `${content}\n${header}` : `${content.slice(0, nl + 1)}${header}${content.slice(nl + 1)}`;
  }
  return header + content;
}
