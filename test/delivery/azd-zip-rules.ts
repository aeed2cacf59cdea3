// Which files `azd deploy` zips for an App Service service, following azd's own code
// (Azure/azure-dev ae35809, cli/azd/pkg/project/): the Node framework packages the folder
// `project`/`dist` (framework_service_node.go, Package); createDeployableZip
// (project_utils.go) reads the host's ignore file (`.webappignore` for appservice,
// service_target.go IgnoreFile) from THAT folder only, always leaves out `.azure` folders and the
// ignore file itself, and, only when there is no ignore file, drops every `node_modules` folder of
// a js/ts service unless `remoteBuild: false` (which azd's schema allows for Function Apps only).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface AzdService {
  project: string;
  dist?: string;
  language?: string;
  host?: string;
  remoteBuild?: boolean;
}

const ignoreFiles: Record<string, string> = { appservice: '.webappignore', function: '.funcignore' };

/** One gitignore line as a matcher of a slash-separated relative path (go-gitignore's rules). */
interface IgnoreRule {
  negate: boolean;
  directoryOnly: boolean;
  pattern: RegExp;
}

function globToRegExp(glob: string, anchored: boolean): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i] ?? '';
    if (glob.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${source}$`);
}

export function parseIgnoreFile(text: string): IgnoreRule[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      let body = negate ? line.slice(1) : line;
      const directoryOnly = body.endsWith('/');
      if (directoryOnly) body = body.slice(0, -1);
      // A slash anywhere but at the end anchors the pattern to the ignore file's folder.
      const anchored = body.includes('/');
      return { negate, directoryOnly, pattern: globToRegExp(body.replace(/^\//, ''), anchored) };
    });
}

function ignored(rules: IgnoreRule[], path: string, isDirectory: boolean): boolean {
  let result = false;
  for (const rule of rules) {
    // A folder that is left out is not walked into (as azd's zip walk does), so its contents need no rule.
    if (rule.directoryOnly && !isDirectory) continue;
    if (rule.pattern.test(path)) result = !rule.negate;
  }
  return result;
}

/** The folder azd packages for a service, relative paths resolved against the project root. */
export function azdPackageRoot(projectRoot: string, service: AzdService): string {
  return join(projectRoot, service.project, service.dist ?? '');
}

/** The files (paths relative to `root`, `/`-separated) azd would put in the service's zip. */
export function azdZipFiles(service: AzdService, root: string): string[] {
  const ignoreFile = ignoreFiles[service.host ?? ''] ?? '';
  const ignorePath = join(root, ignoreFile);
  const rules =
    ignoreFile !== '' && existsSync(ignorePath)
      ? parseIgnoreFile(readFileSync(ignorePath, 'utf8'))
      : undefined;
  const javascript = service.language === 'js' || service.language === 'ts';
  const keep = (name: string, path: string, isDirectory: boolean): boolean => {
    if (name === '.azure' && isDirectory) return false;
    if (name === ignoreFile && !isDirectory) return false;
    if (rules !== undefined) return !ignored(rules, path, isDirectory);
    return !(javascript && isDirectory && name === 'node_modules' && service.remoteBuild !== false);
  };
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const path = relative(root, full).split(sep).join('/');
      // azd follows symbolic links to decide whether an entry is a folder.
      const isDirectory = statSync(full).isDirectory();
      if (!keep(name, path, isDirectory)) continue;
      if (isDirectory) walk(full);
      else files.push(path);
    }
  };
  walk(root);
  return files;
}
