/**
 * notifications: what Argo CD's notifications controller will make of argocd-notifications-cm
 * and of the subscriptions (notifications.argoproj.io/subscribe.<trigger>.<service>
 * annotations) on each Application. Generated Applications must report every sync's outcome
 * to GitHub: a commit status and a deployment of their environment.
 */
import { parse } from "yaml";
import { isRecord, list, record, stringMap, text } from "../objects.ts";
import type { KubernetesObject } from "../types.ts";

export const NOTIFICATIONS_CONFIGMAP = "argocd-notifications-cm";
const SECRET = "argocd-notifications-secret";
const SUBSCRIBE = "notifications.argoproj.io/subscribe.";
/** The outcomes every generated Application reports to GitHub. */
export const REQUIRED_TRIGGERS = ["on-sync-succeeded", "on-sync-failed", "on-health-degraded"];
/** Service settings that hold credentials: written as $<key of argocd-notifications-secret>. */
const CREDENTIALS = /^(privateKey|token|password|apiKey|apiKeys|signingSecret|secret|webhookUrl)$/;

export interface Problem {
  problem: string;
  fix: string;
}

export interface NotificationConfig {
  /** Trigger name -> the templates its conditions send. */
  triggers: Map<string, string[]>;
  templates: Map<string, Record<string, unknown>>;
  /** Service name (as subscriptions name it) -> service type (github, slack, ...). */
  services: Map<string, string>;
  defaultTriggers: string[];
}

function parseValue(key: string, value: string, problems: Problem[]): unknown {
  try {
    return parse(value);
  } catch (error) {
    problems.push({
      problem: `${key} is not valid YAML (${(error as Error).message.split("\n")[0]})`,
      fix: `correct ${key} in the ConfigMap ${NOTIFICATIONS_CONFIGMAP}`,
    });
    return undefined;
  }
}

/** Reads the ConfigMap; problems are reported on it. */
export function readNotificationConfig(configMap: KubernetesObject): {
  config: NotificationConfig;
  problems: Problem[];
} {
  const data = stringMap((configMap as { data?: unknown }).data);
  const problems: Problem[] = [];
  const config: NotificationConfig = {
    triggers: new Map(),
    templates: new Map(),
    services: new Map(),
    defaultTriggers: [],
  };
  for (const [key, value] of Object.entries(data)) {
    const [kind, ...rest] = key.split(".");
    const name = rest.join(".");
    if (kind === "trigger" && name) {
      const conditions = list(parseValue(key, value, problems)).filter(isRecord);
      config.triggers.set(
        name,
        conditions.flatMap((c) => list(c.send).filter((t): t is string => typeof t === "string")),
      );
    } else if (kind === "template" && name) {
      config.templates.set(name, record(parseValue(key, value, problems)));
    } else if (kind === "service" && rest[0]) {
      config.services.set(rest.length > 1 ? rest.slice(1).join(".") : rest[0], rest[0]);
      const settings = record(parseValue(key, value, problems));
      for (const [setting, setValue] of Object.entries(settings)) {
        if (!CREDENTIALS.test(setting)) continue;
        if (typeof setValue === "string" && /^\$[\w-]+$/.test(setValue.trim())) continue;
        problems.push({
          problem: `${key} writes its ${setting} in the ConfigMap, in git`,
          fix: `store it in the Secret ${SECRET} and write ${setting}: $${rest[0]}-${setting}`,
        });
      }
    } else if (key === "defaultTriggers") {
      config.defaultTriggers = list(parseValue(key, value, problems)).filter(
        (t): t is string => typeof t === "string",
      );
    }
  }
  for (const [trigger, templates] of config.triggers) {
    for (const template of templates) {
      if (config.templates.has(template)) continue;
      problems.push({
        problem: `trigger ${trigger} sends template ${template}, which ${NOTIFICATIONS_CONFIGMAP} does not define`,
        fix: `add template.${template} to ${NOTIFICATIONS_CONFIGMAP} (argocd/notifications.yaml), or send a template it defines`,
      });
    }
  }
  return { config, problems };
}

/** [trigger, service] pairs an Application's annotations subscribe to. */
export function subscriptions(
  annotations: Record<string, string>,
  config: NotificationConfig,
): [string, string][] {
  const out: [string, string][] = [];
  for (const key of Object.keys(annotations)) {
    if (!key.startsWith(SUBSCRIBE)) continue;
    const parts = key.slice(SUBSCRIBE.length).split(".");
    // subscribe.<service> alone uses the default triggers.
    if (parts.length === 1) for (const t of config.defaultTriggers) out.push([t, parts[0] ?? ""]);
    else out.push([parts[0] ?? "", parts.slice(1).join(".")]);
  }
  return out;
}

/** What is wrong with one Application's subscriptions; `generated` ones must report to GitHub. */
export function checkSubscriptions(
  annotations: Record<string, string>,
  config: NotificationConfig | undefined,
  generated: boolean,
  where: string,
): Problem[] {
  const subscribed = subscriptions(annotations, config ?? emptyConfig());
  if (!config) {
    return generated || subscribed.length > 0
      ? [
          {
            problem: `${where} subscribes to notifications, but gitops/ defines no ConfigMap ${NOTIFICATIONS_CONFIGMAP}`,
            fix: "add argocd/notifications.yaml (the triggers, templates and services) to gitops/argocd/kustomization.yaml",
          },
        ]
      : [];
  }
  const problems: Problem[] = [];
  for (const [trigger, service] of subscribed) {
    if (!config.triggers.has(trigger)) {
      problems.push({
        problem: `${where} subscribes to trigger ${trigger}, which ${NOTIFICATIONS_CONFIGMAP} does not define`,
        fix: `add trigger.${trigger} to ${NOTIFICATIONS_CONFIGMAP}, or subscribe to one of ${[...config.triggers.keys()].join(", ")}`,
      });
    }
    if (!config.services.has(service)) {
      problems.push({
        problem: `${where} notifies service ${service}, which ${NOTIFICATIONS_CONFIGMAP} does not configure`,
        fix: `add service.${service} to ${NOTIFICATIONS_CONFIGMAP} (its credentials as $keys of ${SECRET})`,
      });
    }
    if (config.services.get(service) !== "github") continue;
    for (const template of config.triggers.get(trigger) ?? []) {
      const github = record(config.templates.get(template)?.github);
      const missing = ["status", "deployment"].filter((part) => !isRecord(github[part]));
      const environment = text(record(github.deployment).environment);
      if (config.templates.has(template) && (missing.length > 0 || environment === "")) {
        problems.push({
          problem: `template ${template}, sent to GitHub on ${trigger}, has no github.${missing[0] ?? "deployment.environment"}`,
          fix: `give template.${template} a github.status and a github.deployment with its environment`,
        });
      }
    }
  }
  if (generated) {
    const github = new Set(
      subscribed.filter(([, s]) => config.services.get(s) === "github").map(([t]) => t),
    );
    const missing = REQUIRED_TRIGGERS.filter((t) => !github.has(t));
    if (missing.length > 0) {
      const service = [...config.services].find(([, type]) => type === "github")?.[0] ?? "github";
      problems.push({
        problem: `${where} is not subscribed to ${missing.join(", ")} on GitHub: its deploy status would not reach the commit`,
        fix: `add ${missing.map((t) => `${SUBSCRIBE}${t}.${service}: ""`).join(", ")} to spec.template.metadata.annotations`,
      });
    }
  }
  return problems;
}

function emptyConfig(): NotificationConfig {
  return { triggers: new Map(), templates: new Map(), services: new Map(), defaultTriggers: [] };
}

export function isNotificationConfigMap(object: KubernetesObject): boolean {
  return object.kind === "ConfigMap" && object.metadata.name === NOTIFICATIONS_CONFIGMAP;
}
