/** The notifications rule on hand-made ConfigMaps and subscriptions. */
import type { KubernetesObject } from "@repo/kustomize-ts";
import { describe, expect, it } from "vitest";
import {
  checkSubscriptions,
  readNotificationConfig,
  subscriptions,
} from "../src/verify/rules/notifications.ts";

function configMap(data: Record<string, string>): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "argocd-notifications-cm" },
    data,
  } as KubernetesObject;
}

const github = `github:
  status: { state: success, label: "argocd/{{.app.metadata.name}}" }
  deployment: { state: success, environment: "{{.app.metadata.name}}" }
`;
const base = {
  "service.github": "appID: $github-appID\nprivateKey: $github-privateKey\n",
  "service.slack.alerts": "token: $slack-token\n",
  "trigger.on-sync-succeeded": "- when: 'true'\n  send: [ok]\n",
  "trigger.on-sync-failed": "- when: 'true'\n  send: [failed]\n",
  "trigger.on-health-degraded": "- when: 'true'\n  send: [failed]\n",
  "template.ok": github,
  "template.failed": github,
  defaultTriggers: "[on-sync-failed]",
};
const all = {
  "notifications.argoproj.io/subscribe.on-sync-succeeded.github": "",
  "notifications.argoproj.io/subscribe.on-sync-failed.github": "",
  "notifications.argoproj.io/subscribe.on-health-degraded.github": "",
};

describe("notifications", () => {
  it("reads triggers, templates, named services and default triggers", () => {
    const { config, problems } = readNotificationConfig(configMap(base));
    expect(problems).toEqual([]);
    expect(config.services).toEqual(
      new Map([
        ["github", "github"],
        ["alerts", "slack"],
      ]),
    );
    expect(config.triggers.get("on-sync-failed")).toEqual(["failed"]);
    expect(
      subscriptions({ "notifications.argoproj.io/subscribe.alerts": "ops", other: "x" }, config),
    ).toEqual([["on-sync-failed", "alerts"]]);
    expect(checkSubscriptions(all, config, true, "each")).toEqual([]);
  });

  it("names unparsable values, literal credentials and templates no trigger can send", () => {
    const { problems } = readNotificationConfig(
      configMap({
        ...base,
        "service.github": "appID: 1\nprivateKey: '-----BEGIN RSA PRIVATE KEY-----'\n",
        "template.failed": "github: [unclosed",
        "trigger.on-sync-running": "- send: [running]\n",
      }),
    );
    expect(problems.map((p) => p.problem)).toEqual([
      "service.github writes its privateKey in the ConfigMap, in git",
      expect.stringMatching(/^template\.failed is not valid YAML/),
      "trigger on-sync-running sends template running, which argocd-notifications-cm does not define",
    ]);
  });

  it("names unknown triggers and services, and GitHub templates without status or deployment", () => {
    const { config } = readNotificationConfig(
      configMap({ ...base, "template.failed": "github:\n  status: { state: failure }\n" }),
    );
    const problems = checkSubscriptions(
      {
        ...all,
        "notifications.argoproj.io/subscribe.on-deploy.github": "",
        "notifications.argoproj.io/subscribe.on-sync-failed.teams": "x",
      },
      config,
      false,
      "the Application",
    ).map((p) => p.problem);
    expect(problems).toEqual([
      "template failed, sent to GitHub on on-sync-failed, has no github.deployment",
      "template failed, sent to GitHub on on-health-degraded, has no github.deployment",
      "the Application subscribes to trigger on-deploy, which argocd-notifications-cm does not define",
      "the Application notifies service teams, which argocd-notifications-cm does not configure",
    ]);
  });

  it("asks generated Applications for every GitHub subscription, and for the ConfigMap", () => {
    const { config } = readNotificationConfig(configMap(base));
    expect(checkSubscriptions({}, config, true, "each").map((p) => p.problem)).toEqual([
      "each is not subscribed to on-sync-succeeded, on-sync-failed, on-health-degraded on GitHub: its deploy status would not reach the commit",
    ]);
    expect(checkSubscriptions(all, undefined, true, "each")[0]?.problem).toBe(
      "each subscribes to notifications, but gitops/ defines no ConfigMap argocd-notifications-cm",
    );
    expect(checkSubscriptions({}, undefined, false, "the Application")).toEqual([]);
  });
});
