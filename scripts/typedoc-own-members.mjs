// @ts-check
/**
 * TypeDoc plugin for API.md: leaves out the members a class inherits from outside this package (Construct's
 * `node`, `with()`, `toString()`, Stack's fifty properties), which aws-cdk-lib documents; members inherited
 * from callhooks' own classes stay.
 */
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    for (const member of project.getReflectionsByKind(ReflectionKind.ClassMember)) {
      const from = /** @type {import('typedoc').DeclarationReflection} */ (member).inheritedFrom;
      if (from && !from.reflection) project.removeReflection(member);
    }
  });
}
