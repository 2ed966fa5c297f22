/**
 * `vars` (deprecated in kustomize, still common): each var names an object and a field;
 * after names are final, `$(VAR)` in the var-reference fields is replaced by that value.
 */
import { KustomizeError } from "../api.ts";
import {
  effectiveNamespace,
  type Gvk,
  gvkEquals,
  idClusterScoped,
  type ResId,
  type Resource,
} from "../resource.ts";
import { type FieldSpec, isMap, specMatches, walkSpec } from "../slash-path.ts";

export interface VarArg {
  name?: string;
  objref?: {
    apiVersion?: string;
    group?: string;
    version?: string;
    kind?: string;
    name?: string;
    namespace?: string;
  };
  fieldref?: { fieldpath?: string; fieldPath?: string };
}

export interface Var {
  name: string;
  gvk: Gvk;
  objName: string;
  namespace: string;
  fieldPath: string;
  file: string;
}

function toVar(arg: VarArg, file: string, index: number): Var {
  const where = { file, key: `vars[${index}]` };
  if (!isMap(arg) || typeof arg.name !== "string" || arg.name === "") {
    throw new KustomizeError("a var needs a name", where);
  }
  const ref = (isMap(arg.objref) ? arg.objref : {}) as NonNullable<VarArg["objref"]>;
  let group = ref.group ?? "";
  let version = ref.version ?? "";
  if (ref.apiVersion) {
    const parts = ref.apiVersion.split("/");
    if (parts.length === 2) [group, version] = parts as [string, string];
    else if (parts.length === 1) version = parts[0] as string;
  }
  const fieldref = (isMap(arg.fieldref) ? arg.fieldref : {}) as NonNullable<VarArg["fieldref"]>;
  return {
    name: arg.name,
    gvk: { group, version, kind: ref.kind ?? "" },
    objName: ref.name ?? "",
    namespace: ref.namespace ?? "",
    fieldPath: fieldref.fieldpath || fieldref.fieldPath || "metadata.name",
    file,
  };
}

/** kustomize's MergeVars: remembers which resource each var reads from. */
export function mergeVars(
  all: Var[],
  args: unknown[],
  list: readonly Resource[],
  file: string,
): void {
  args.forEach((arg, i) => {
    const v = toVar(arg as VarArg, file, i);
    const target: ResId = { gvk: v.gvk, name: v.objName, namespace: v.namespace };
    const strict = v.namespace !== "" || idClusterScoped(target);
    const matched = list.filter((r) =>
      [...r.previousIds(), r.curId()].some(
        (id) =>
          id.name === target.name &&
          gvkEquals(id.gvk, target.gvk) &&
          (!strict || effectiveNamespace(id) === effectiveNamespace(target)),
      ),
    );
    if (matched.length > 1) {
      throw new KustomizeError(
        `found ${matched.length} resId matches for var ${v.name} (unable to disambiguate)`,
        {
          file,
          key: `vars[${i}]`,
        },
      );
    }
    if (all.some((other) => other.name === v.name)) {
      throw new KustomizeError(`var '${v.name}' already encountered`, { file, key: `vars[${i}]` });
    }
    matched[0]?.refVarNames.push(v.name);
    all.push(v);
  });
}

function fieldValue(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    const m = /^(.*?)\[(\d+)\]$/.exec(part);
    const key = m ? (m[1] as string) : part;
    if (key !== "") {
      if (!isMap(cur) || !Object.hasOwn(cur, key)) return undefined;
      cur = cur[key];
    }
    if (m) {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[Number(m[2])];
    }
  }
  return cur;
}

function replaceIn(input: string, values: Map<string, unknown>): unknown {
  let out = "";
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== "$" || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === "$") out += "$";
    else if (rest[0] === "(") {
      const close = rest.indexOf(")", 1);
      if (close < 0) out += "$(";
      else {
        const name = rest.slice(1, close);
        advance = close + 1;
        const mapped = values.has(name) ? values.get(name) : `$(${name})`;
        if (input === `$(${name})`) return mapped;
        out += typeof mapped === "string" ? mapped : String(mapped);
      }
    } else out += `$${rest[0]}`;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** kustomize's ResolveVars: substitute every var in the var-reference fields, `specs`. */
export function resolveVars(
  vars: readonly Var[],
  list: readonly Resource[],
  specs: readonly FieldSpec[],
): void {
  if (vars.length === 0) return;
  const values = new Map<string, unknown>();
  for (const v of vars) {
    const matched = list.filter((r) => r.refVarNames.includes(v.name));
    if (matched.length > 1) {
      throw new KustomizeError(
        `found ${matched.length} resId matches for var ${v.name} (unable to disambiguate)`,
        {
          file: v.file,
          key: "vars",
        },
      );
    }
    const res = matched[0];
    if (!res) {
      throw new KustomizeError(
        `var '${v.name}' cannot be mapped to a field in the set of known resources`,
        {
          file: v.file,
          key: "vars",
        },
      );
    }
    const value = fieldValue(res.obj, v.fieldPath);
    if (value === undefined) {
      throw new KustomizeError(
        `field ${v.fieldPath} specified in var '${v.name}' not found in ${res.kind} ${res.name}`,
        {
          file: v.file,
          key: "vars",
        },
      );
    }
    values.set(v.name, value);
  }
  for (const r of list) {
    const gvk = r.gvk();
    for (const spec of specs) {
      if (!specMatches(spec, gvk)) continue;
      walkSpec(r.obj, spec, undefined, (holder, key) => {
        const h = holder as Record<string | number, unknown>;
        const value = h[key];
        if (typeof value === "string") h[key] = replaceIn(value, values);
        else if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            if (typeof value[i] !== "string") {
              throw new KustomizeError(
                `vars: invalid value type in ${spec.path}, expected strings`,
                { file: r.source },
              );
            }
            value[i] = replaceIn(value[i] as string, values);
          }
        } else if (isMap(value)) {
          for (const [k, v] of Object.entries(value))
            if (typeof v === "string") value[k] = replaceIn(v, values);
        }
      });
    }
  }
}
