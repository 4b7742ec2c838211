// Static consistency checks of the subgraph (graph-node and matchstick cannot run here): mapping handlers exist for
// the manifest's event handlers, and every entity field a mapping sets exists in schema.graphql with a compatible
// type. Used by the subgraph checks in test-subgraph/. The readers below understand the subset of GraphQL and
// AssemblyScript this subgraph uses; anything they cannot type is reported, not guessed.

import type { AbiEntry, AbiParameter } from "./manifest.js";

/** A field of a schema entity. */
export interface SchemaField {
  /** Base type name: Bytes, BigInt, Int, String, Boolean, an enum or an entity. */
  readonly type: string;
  readonly list: boolean;
  readonly required: boolean;
  readonly derived: boolean;
}

export interface Schema {
  readonly entities: ReadonlyMap<string, ReadonlyMap<string, SchemaField>>;
  readonly enums: ReadonlyMap<string, ReadonlySet<string>>;
  /** Fields without a description (a string or `#` comment right above). */
  readonly undocumented: readonly string[];
}

/** Reads entity types, their fields and the enums of a schema.graphql. */
export function parseSchema(text: string): Schema {
  const entities = new Map<string, Map<string, SchemaField>>();
  const enums = new Map<string, Set<string>>();
  const undocumented: string[] = [];
  let entity: Map<string, SchemaField> | undefined;
  let entityName = "";
  let enumValues: Set<string> | undefined;
  let documented = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const typeMatch = /^type (\w+) @entity/.exec(line);
    const enumMatch = /^enum (\w+) \{/.exec(line);
    if (typeMatch !== null) {
      entityName = typeMatch[1] ?? "";
      entity = new Map();
      entities.set(entityName, entity);
    } else if (enumMatch !== null) {
      enumValues = new Set();
      enums.set(enumMatch[1] ?? "", enumValues);
    } else if (line === "}") {
      entity = undefined;
      enumValues = undefined;
    } else if (line.startsWith('"') || line.startsWith("#")) {
      documented = true;
      continue;
    } else if (entity !== undefined) {
      const field = /^(\w+):\s*(\[?)(\w+)(!?)\]?(!?)(.*)$/.exec(line);
      if (field !== null) {
        const [, name = "", bracket = "", type = "", innerBang = "", outerBang = "", rest = ""] = field;
        const list = bracket === "[";
        entity.set(name, {
          type,
          list,
          required: list ? outerBang === "!" : innerBang === "!",
          derived: rest.includes("@derivedFrom"),
        });
        if (!documented) undocumented.push(`${entityName}.${name}`);
      }
    } else if (enumValues !== undefined && /^\w+$/.test(line)) {
      enumValues.add(line);
    }
    documented = false;
  }
  return { entities, enums, undocumented };
}

/** Names of the functions a mapping file exports, with the type of their first parameter. */
export function exportedHandlers(source: string): Map<string, string> {
  const handlers = new Map<string, string>();
  for (const match of source.matchAll(/export function (\w+)\(\s*\w+:\s*(\w+)/g)) {
    handlers.set(match[1] ?? "", match[2] ?? "");
  }
  return handlers;
}

/** A GraphQL-level type inferred for an AssemblyScript expression. */
interface ValueType {
  readonly type: string;
  readonly list: boolean;
  readonly nullable: boolean;
}

/** graph-ts type of an event parameter, as a schema type (graph-cli's ABI → AssemblyScript conversions). */
function abiToSchemaType(param: AbiParameter): ValueType {
  const list = param.type.endsWith("]");
  const base = param.type.replace(/\[\d*\]$/, "");
  let type = "BigInt";
  if (base === "address" || base.startsWith("bytes")) type = "Bytes";
  else if (base === "string") type = "String";
  else if (base === "bool") type = "Boolean";
  else if (/^(int(8|16|24|32)|uint(8|16|24))$/.test(base)) type = "Int";
  else if (base.startsWith("tuple")) type = "tuple";
  return { type, list, nullable: false };
}

/** AssemblyScript type name → schema type (undefined when not a schema value type). */
function asToSchemaType(asType: string): ValueType | undefined {
  const nullable = /\|\s*null/.test(asType);
  const bare = asType.replace(/\|\s*null/, "").trim();
  const list = bare.endsWith("[]") || bare.startsWith("Array<");
  const base = bare.replace(/\[\]$/, "").replace(/^Array<(.*)>$/, "$1");
  const map: Record<string, string> = {
    Bytes: "Bytes",
    Address: "Bytes",
    BigInt: "BigInt",
    i32: "Int",
    string: "String",
    boolean: "Boolean",
    bool: "Boolean",
  };
  const type = map[base];
  return type === undefined ? undefined : { type, list, nullable };
}

/** One `variable.field = value;` assignment found in a mapping. */
export interface FieldAssignment {
  readonly file: string;
  readonly line: number;
  readonly entity: string;
  readonly field: string;
  readonly value: string;
  /** The schema type inferred for `value`, when the reader could type it. */
  readonly valueType: ValueType | undefined;
}

export interface AssignmentProblem {
  readonly assignment: FieldAssignment;
  readonly problem: string;
}

export interface MappingSource {
  readonly file: string;
  readonly source: string;
  /** The ABI of the data source whose events the file's handlers receive (undefined for helpers). */
  readonly abi: readonly AbiEntry[] | undefined;
}

/**
 * Helpers that set fields of the entity passed as their first parameter through `record.set("field",
 * Value.fromX(...))` (e.g. `stampEvent`): helper name → the fields it sets, with their types.
 */
function fieldSettingHelpers(files: readonly MappingSource[]): Map<string, Array<[string, ValueType]>> {
  const helpers = new Map<string, Array<[string, ValueType]>>();
  for (const { source } of files) {
    for (const fn of source.matchAll(/function (\w+)\((\w+): Entity\b[^)]*\)[^{]*\{([\s\S]*?)\n\}/g)) {
      const [, name = "", record = "", body = ""] = fn;
      const fields: Array<[string, ValueType]> = [];
      for (const set of body.matchAll(/(\w+)\.set\("(\w+)",\s*Value\.from(\w+)\(/g)) {
        const type = asToSchemaType(set[3] ?? "");
        if (set[1] === record && type !== undefined) fields.push([set[2] ?? "", type]);
      }
      if (fields.length > 0) helpers.set(name, fields);
    }
  }
  return helpers;
}

/**
 * Every `x.field = value` where `x` is an entity, across the mapping files, with the value's inferred type; a call of
 * a field-setting helper (`stampEvent(x, event)`) counts as the assignments it makes.
 */
export function findFieldAssignments(schema: Schema, files: readonly MappingSource[]): FieldAssignment[] {
  // Return types of every function of every file (helpers included), for `const x = fn(...)`.
  const returnTypes = new Map<string, string>();
  for (const { source } of files) {
    for (const match of source.matchAll(/function (\w+)\(([\s\S]*?)\):\s*([\w<>[\]| ]+?)\s*\{/g)) {
      returnTypes.set(match[1] ?? "", (match[3] ?? "").trim());
    }
  }
  const setters = fieldSettingHelpers(files);
  const results: FieldAssignment[] = [];
  for (const file of files) {
    const events = new Map<string, readonly AbiParameter[]>();
    for (const entry of file.abi ?? []) {
      if (entry.type === "event" && entry.name !== undefined) events.set(entry.name, entry.inputs ?? []);
    }
    // Split into functions: each starts at a `function name(` line and runs to the next one.
    const lines = file.source.split("\n");
    let locals = new Map<string, string>(); // variable → AS type or entity name
    let signature = "";
    let eventClass = "";
    let inSignature = false;
    lines.forEach((line, index) => {
      if (/^(export )?function \w+\(/.test(line)) {
        locals = new Map();
        signature = "";
        inSignature = true;
      }
      if (inSignature) {
        signature += line;
        if (/\)\s*:\s*[\w<>[\]| ]+\s*\{\s*$/.test(line)) {
          inSignature = false;
          eventClass = /event:\s*(\w+)/.exec(signature)?.[1] ?? "";
          const params = /\(([\s\S]*)\)\s*:/.exec(signature)?.[1] ?? "";
          for (const param of params.split(",")) {
            const m = /^\s*(\w+):\s*(.+?)\s*$/.exec(param);
            if (m !== null) locals.set(m[1] ?? "", m[2] ?? "");
          }
        }
        return;
      }
      const declaration = /^\s*(?:const|let) (\w+)(?::\s*([\w<>[\]| ]+?))?\s*=\s*(.+?);?\s*$/.exec(line);
      if (declaration !== null) {
        const [, name = "", declared, value = ""] = declaration;
        const newEntity = /^new (\w+)\(/.exec(value)?.[1];
        const loaded = /^(\w+)\.load\(/.exec(value)?.[1];
        const called = /^(\w+)\(/.exec(value)?.[1];
        const cast = /^changetype<([\w<>[\]]+)>\(/.exec(value)?.[1];
        const type =
          declared ??
          newEntity ??
          (loaded !== undefined && schema.entities.has(loaded) ? loaded : undefined) ??
          cast ??
          (called !== undefined ? returnTypes.get(called) : undefined) ??
          typeOfExpression(value, locals, events, schema, eventClass, returnTypes)?.type;
        if (type !== undefined) locals.set(name, typeNameOf(type, value, locals, events, schema, eventClass));
        return;
      }
      const helperCall = /^\s*(\w+)\((\w+),.*\);\s*$/.exec(line);
      const helperFields = setters.get(helperCall?.[1] ?? "");
      const stamped = locals.get(helperCall?.[2] ?? "");
      if (
        helperCall !== null &&
        helperFields !== undefined &&
        stamped !== undefined &&
        schema.entities.has(stamped)
      ) {
        for (const [field, valueType] of helperFields) {
          results.push({
            file: file.file,
            line: index + 1,
            entity: stamped,
            field,
            value: line.trim(),
            valueType,
          });
        }
        return;
      }
      const assignment = /^\s*(\w+)\.(\w+)\s*=\s*(.+?);\s*$/.exec(line);
      if (assignment === null) return;
      const [, variable = "", field = "", value = ""] = assignment;
      const entity = locals.get(variable);
      if (entity === undefined || !schema.entities.has(entity)) return;
      results.push({
        file: file.file,
        line: index + 1,
        entity,
        field,
        value,
        valueType: typeOfExpression(value, locals, events, schema, eventClass, returnTypes),
      });
    });
  }
  return results;
}

/** Stores a local's type: entity names as they are, AS types as written, inferred schema types as AS names. */
function typeNameOf(
  type: string,
  value: string,
  locals: ReadonlyMap<string, string>,
  events: ReadonlyMap<string, readonly AbiParameter[]>,
  schema: Schema,
  eventClass: string,
): string {
  if (schema.entities.has(type) || asToSchemaType(type) !== undefined || type.endsWith("[]")) return type;
  const inferred = typeOfExpression(value, locals, events, schema, eventClass);
  const back: Record<string, string> = {
    Bytes: "Bytes",
    BigInt: "BigInt",
    Int: "i32",
    String: "string",
    Boolean: "boolean",
  };
  return inferred !== undefined ? (back[inferred.type] ?? type) : type;
}

/** Infers the schema type of an expression the mappings use; undefined when unknown. */
function typeOfExpression(
  expression: string,
  locals: ReadonlyMap<string, string>,
  events: ReadonlyMap<string, readonly AbiParameter[]>,
  schema: Schema,
  eventClass: string,
  returnTypes: ReadonlyMap<string, string> = new Map(),
): ValueType | undefined {
  const value = expression.trim();
  if (/^(Bytes|Address)\.\w+\(/.test(value)) return { type: "Bytes", list: false, nullable: false };
  const call = /^(\w+)\([^()]*\)$/.exec(value);
  if (call !== null && returnTypes.has(call[1] ?? ""))
    return asToSchemaType(returnTypes.get(call[1] ?? "") ?? "");
  if (value === "null") return { type: "null", list: false, nullable: true };
  const emptyList = /^new Array<(\w+)>\(\)$/.exec(value);
  if (emptyList !== null) return asToSchemaType(`Array<${emptyList[1] ?? ""}>`);
  if (value === "true" || value === "false") return { type: "Boolean", list: false, nullable: false };
  if (/^".*"$/.test(value)) return { type: "String", list: false, nullable: false };
  if (/^-?\d+$/.test(value)) return { type: "Int", list: false, nullable: false };
  const ternary = /^[^?]+\?\s*(.+?)\s*:\s*(.+)$/.exec(value);
  if (ternary !== null) return typeOfExpression(ternary[1] ?? "", locals, events, schema, eventClass);
  if (/\.(plus|minus|times|div|mod)\([^()]*\)$/.test(value) || /^(ZERO_BI|ONE_BI)$/.test(value)) {
    return { type: "BigInt", list: false, nullable: false };
  }
  if (/^BigInt\./.test(value)) return { type: "BigInt", list: false, nullable: false };
  if (/^event\.(block\.(number|timestamp)|logIndex)$/.test(value))
    return { type: "BigInt", list: false, nullable: false };
  if (/^event\.(transaction\.hash|address)$/.test(value))
    return { type: "Bytes", list: false, nullable: false };
  if (/^\w+\.length$/.test(value)) return { type: "Int", list: false, nullable: false };
  if (/^[\w.]+ [+-] \d+$/.test(value)) {
    return typeOfExpression(value.split(" ")[0] ?? "", locals, events, schema, eventClass);
  }
  const param = /^event\.params\.(\w+)$/.exec(value);
  if (param !== null) {
    const input = events.get(eventClass)?.find((p) => p.name === param[1]);
    return input === undefined ? undefined : abiToSchemaType(input);
  }
  const member = /^(\w+)\.(\w+)$/.exec(value);
  if (member !== null) {
    const owner = locals.get(member[1] ?? "");
    const ownerFields = owner !== undefined ? schema.entities.get(owner) : undefined;
    if (member[2] === "id" && ownerFields !== undefined)
      return { type: "Bytes", list: false, nullable: false };
    const field = ownerFields?.get(member[2] ?? "");
    if (field !== undefined) {
      const type = schema.entities.has(field.type) ? "Bytes" : field.type;
      return { type, list: field.list, nullable: !field.required };
    }
  }
  if (/^\w+$/.test(value)) {
    const local = locals.get(value);
    if (local !== undefined) return asToSchemaType(local);
    if (/^[A-Z_]+$/.test(value)) return { type: "String", list: false, nullable: false }; // string constants
  }
  return undefined;
}

/** Checks the assignments against the schema: the field exists, is not derived, and the value type fits. */
export function checkAssignments(
  schema: Schema,
  assignments: readonly FieldAssignment[],
): AssignmentProblem[] {
  const problems: AssignmentProblem[] = [];
  for (const assignment of assignments) {
    const field = schema.entities.get(assignment.entity)?.get(assignment.field);
    if (field === undefined) {
      problems.push({ assignment, problem: `${assignment.entity} has no field ${assignment.field}` });
      continue;
    }
    if (field.derived) {
      problems.push({ assignment, problem: `${assignment.entity}.${assignment.field} is @derivedFrom` });
      continue;
    }
    const value = assignment.valueType;
    if (value === undefined) continue;
    if (value.type === "null") {
      if (field.required) problems.push({ assignment, problem: `null set on required ${assignment.field}` });
      continue;
    }
    const enumValues = schema.enums.get(field.type);
    const expected = schema.entities.has(field.type)
      ? "Bytes"
      : enumValues !== undefined
        ? "String"
        : field.type;
    if (value.type !== expected || value.list !== field.list) {
      problems.push({
        assignment,
        problem: `${assignment.entity}.${assignment.field} is ${field.list ? "[" : ""}${field.type}${field.list ? "]" : ""}, value is ${value.list ? "[" : ""}${value.type}${value.list ? "]" : ""}`,
      });
      continue;
    }
    if (enumValues !== undefined && /^".*"$/.test(assignment.value)) {
      const literal = assignment.value.slice(1, -1);
      if (!enumValues.has(literal)) {
        problems.push({ assignment, problem: `"${literal}" is not a value of enum ${field.type}` });
      }
    }
  }
  return problems;
}

/** graph-node's collection field name of an entity: lower camel case, plural (`User` → `users`, `Slash` → `slashes`). */
export function collectionFieldName(entity: string): string {
  const camel = entity.charAt(0).toLowerCase() + entity.slice(1);
  if (/(s|sh|ch|x|z)$/.test(camel)) return `${camel}es`;
  if (/[^aeiou]y$/.test(camel)) return `${camel.slice(0, -1)}ies`;
  return `${camel}s`;
}

/**
 * Checks the selections of GraphQL queries against the schema as graph-node exposes it: a top-level field is an
 * entity (`user(id:)`) or its collection (`users(...)`) or `_meta`; nested selections must be fields of the entity
 * (references descend into the referenced entity). Arguments are not checked. Returns the problems found.
 */
export function checkQuerySelections(schema: Schema, text: string): string[] {
  const tokens = text
    .replace(/#[^\n]*/g, "")
    .replace(/\([^()]*(\{[^()]*\})?[^()]*\)/g, " ") // arguments (one level of object values)
    .match(/[A-Za-z_]\w*|[{}]/g);
  const problems: string[] = [];
  const topLevel = new Map<string, string>();
  for (const entity of schema.entities.keys()) {
    topLevel.set(entity.charAt(0).toLowerCase() + entity.slice(1), entity);
    topLevel.set(collectionFieldName(entity), entity);
  }
  // Stack of the entity types whose selection sets we are in ("" = the operation, "*" = unchecked, e.g. _meta).
  const stack: string[] = [];
  let lastType = "*";
  let i = 0;
  const list = tokens ?? [];
  while (i < list.length) {
    const token = list[i] ?? "";
    i += 1;
    if (stack.length === 0) {
      if (token === "{") stack.push("");
      continue; // `query Name` before the selection set
    }
    if (token === "{") {
      stack.push(lastType);
      continue;
    }
    if (token === "}") {
      stack.pop();
      continue;
    }
    const scope = stack[stack.length - 1] ?? "*";
    const last = token;
    if (scope === "*") {
      lastType = "*";
    } else if (scope === "") {
      const entity = topLevel.get(last);
      if (last === "_meta") lastType = "*";
      else if (entity === undefined) {
        problems.push(`no entity field ${last} at the top level`);
        lastType = "*";
      } else lastType = entity;
    } else {
      const field = schema.entities.get(scope)?.get(last);
      if (field === undefined) {
        problems.push(`${scope} has no field ${last}`);
        lastType = "*";
      } else lastType = schema.entities.has(field.type) ? field.type : "*";
    }
  }
  return problems;
}
