import { pathToFileURL } from 'node:url';
import { relative, sep } from 'node:path';
import type { ESLint, Linter } from 'eslint';

/*
 * SARIF 2.1.0 (OASIS), the format code-scanning services ingest. Only the parts they read:
 * the tool and its rules, and one result per ESLint message with a file region.
 */

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

interface SarifRun {
  tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } };
  originalUriBaseIds: Record<string, { uri: string }>;
  results: SarifResult[];
}

interface SarifRule {
  id: string;
  shortDescription?: { text: string };
  helpUri?: string;
}

interface SarifResult {
  ruleId?: string;
  ruleIndex?: number;
  level: 'error' | 'warning';
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId: string };
      region: { startLine: number; startColumn: number; endLine?: number; endColumn?: number };
    };
  }[];
}

const SRCROOT = '%SRCROOT%';

/** A file's URI relative to the base directory, with forward slashes, percent-encoded. */
function relativeUri(file: string, baseDir: string): string {
  return relative(baseDir, file).split(sep).map(encodeURIComponent).join('/');
}

export function toSarif(
  results: readonly ESLint.LintResult[],
  rulesMeta: Record<string, { docs?: { description?: string; url?: string } } | undefined>,
  { baseDir, version }: { baseDir: string; version: string },
): SarifLog {
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const indexOf = (ruleId: string): number => {
    let index = ruleIndex.get(ruleId);
    if (index === undefined) {
      const docs = rulesMeta[ruleId]?.docs;
      index = rules.length;
      rules.push({
        id: ruleId,
        ...(docs?.description ? { shortDescription: { text: docs.description } } : {}),
        ...(docs?.url ? { helpUri: docs.url } : {}),
      });
      ruleIndex.set(ruleId, index);
    }
    return index;
  };

  const sarifResults = results.flatMap((result) =>
    result.messages.map((message: Linter.LintMessage): SarifResult => ({
      // Parse errors have no rule; they still belong in the log, as errors.
      ...(message.ruleId ? { ruleId: message.ruleId, ruleIndex: indexOf(message.ruleId) } : {}),
      level: message.severity === 2 ? 'error' : 'warning',
      message: { text: message.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: relativeUri(result.filePath, baseDir), uriBaseId: SRCROOT },
            region: {
              startLine: Math.max(1, message.line),
              startColumn: Math.max(1, message.column),
              ...(message.endLine !== undefined ? { endLine: message.endLine } : {}),
              ...(message.endColumn !== undefined ? { endColumn: message.endColumn } : {}),
            },
          },
        },
      ],
    })),
  );

  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'agent-lag',
            version,
            informationUri: 'https://www.npmjs.com/package/agent-lag',
            rules,
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: `${pathToFileURL(baseDir).href.replace(/\/?$/, '/')}` } },
        results: sarifResults,
      },
    ],
  };
}
