/**
 * Reading what Terraform prints. With `-no-color` Terraform writes each
 * diagnostic as a block: a line `Error: <summary>` (inside a box drawn with
 * `│`, `╷`, `╵` on most versions), its detail lines, and for a resource the
 * `with <address>,` / `on <file> line <n>` lines. The summary of an AWS
 * error holds the whole SDK error in one line, e.g.
 *
 *   Error: creating CloudTrail Trail (my-trail): operation error CloudTrail: CreateTrail, https response error StatusCode: 400,
 *   RequestID: 0f5…, InsufficientS3BucketPolicyException: Incorrect S3 bucket policy is detected for bucket: my-bucket
 *
 * (one line in the output; wrapped here).
 */

export interface Diagnostic {
  readonly severity: 'Error' | 'Warning';
  /** The `Error:` line without the prefix. */
  readonly summary: string;
  /** Every line of the block (summary, detail, with/on lines), box characters removed. */
  readonly text: string;
  /** The resource address from the `with <address>,` line, when there is one. */
  readonly address?: string;
}

const BOX = /^[│╷╵]\s?/;

/** The diagnostics in Terraform's output, in order. */
export function diagnostics(output: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  let current: { severity: 'Error' | 'Warning'; lines: string[] } | undefined;
  const flush = () => {
    if (!current) return;
    const text = current.lines.join('\n').trim();
    const address = /^\s*with ([^,\s]+),/m.exec(text)?.[1];
    out.push({ severity: current.severity, summary: current.lines[0], text, address });
    current = undefined;
  };
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const m = /^(?:[│╷]\s?)?(Error|Warning): (.*)$/.exec(line);
    if (m) {
      flush();
      current = { severity: m[1] as 'Error' | 'Warning', lines: [m[2]] };
    } else if (current) {
      if (/^╵/.test(line)) flush();
      else current.lines.push(line.replace(BOX, ''));
    }
  }
  flush();
  return out;
}

/** Errors only. */
export function errorDiagnostics(output: string): Diagnostic[] {
  return diagnostics(output).filter((d) => d.severity === 'Error');
}

/** The first `Error:` line of the output (what the deploy table shows), or undefined. */
export function firstErrorLine(output: string): string | undefined {
  const first = errorDiagnostics(output)[0];
  return first ? `Error: ${first.summary}` : undefined;
}

/** The AWS error code inside a diagnostic's summary (`..., InsufficientS3BucketPolicyException: ...`). */
export function awsErrorCode(d: Diagnostic): string | undefined {
  return /RequestID: [^,]*, ([A-Za-z0-9]+): /.exec(d.summary)?.[1] ?? /\b([A-Z][A-Za-z0-9]+Exception)\b/.exec(d.text)?.[1];
}

/** The AWS service and operation inside a diagnostic's summary (`operation error CloudTrail: CreateTrail`). */
export function awsOperation(d: Diagnostic): { service: string; operation: string } | undefined {
  const m = /operation error ([A-Za-z0-9 ]+): ([A-Za-z0-9]+)/.exec(d.text);
  return m ? { service: m[1], operation: m[2] } : undefined;
}
