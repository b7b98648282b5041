// Where `mintid secrets` gets a value from: standard input when it is not a terminal (a pipe or a
// file), else a prompt that does not echo. Never from the command line, which `ps` and shell
// history keep.
import { UsageError } from './args.js';

/** Why the command line never carries a value (the text of every refusal). */
export const VALUE_ON_COMMAND_LINE_REFUSED =
  'a secret value is never taken from the command line: `ps`, shell history and CI logs keep it. ' +
  'Pipe it on standard input (e.g. `mintid secrets create --name X < value.txt`, or `printf %s "$VALUE" | …`) ' +
  'or run the command in a terminal and type it at the prompt, which does not echo.';

/** Reads standard input to its end; one trailing newline (LF or CRLF) is dropped, nothing else. */
async function readPipe(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.replace(/\r?\n$/, '');
}

/** Prompts on stderr and reads one line from the terminal with echo off (raw mode). */
function readHidden(stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.removeListener('data', onData);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (data: Buffer | string) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new UsageError('cancelled at the prompt; nothing was sent'));
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else if (char >= ' ' || char === '\t') value += char;
      }
    };
    stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/**
 * The value for create/update: piped standard input, or a hidden prompt in a terminal. An empty
 * value is a usage error that says how to give one.
 */
export async function readSecretValue(label = 'Value'): Promise<string> {
  const stdin = process.stdin;
  const value = stdin.isTTY
    ? await readHidden(stdin, process.stderr, `${label} (typing is not shown; Enter to finish): `)
    : await readPipe(stdin);
  if (value === '') {
    throw new UsageError(stdin.isTTY
      ? 'no value was typed; nothing was sent'
      : 'no value on standard input: pipe the value in (e.g. `< value.txt`), or run in a terminal to be prompted');
  }
  return value;
}
