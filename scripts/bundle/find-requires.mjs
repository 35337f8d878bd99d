/**
 * The require('...') calls of one CommonJS file, found with TypeScript's parser (already a
 * dependency of the build) so that strings and comments mentioning require never count.
 */
import ts from 'typescript';

/**
 * Specifiers of every `require(<string literal>)` in source. A require of a computed
 * name could not be bundled, and import() does not work in a single executable built
 * with useCodeCache, so either fails the build.
 */
export function findRequires(file, source) {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const specs = new Set();
  const where = (node) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    return `${file}:${line + 1}:${character + 1}`;
  };
  const visit = (node) => {
    if (ts.isCallExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        throw new Error(`${where(node)}: dynamic import() cannot be bundled (compile to CommonJS)`);
      }
      if (ts.isIdentifier(node.expression) && node.expression.text === 'require') {
        const [arg] = node.arguments;
        if (node.arguments.length !== 1 || !ts.isStringLiteralLike(arg)) {
          throw new Error(`${where(node)}: require of a computed name cannot be bundled`);
        }
        specs.add(arg.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return [...specs];
}
