import { describe, expect, it } from "vitest";
import { parseImageArg } from "../src/edit/image-arg.ts";
import { splitImage } from "../src/image-ref.ts";
import { formatImageReference, KustomizeError, parseImageReference } from "../src/index.ts";

const digest = "sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3";

describe("splitImage (kustomize's image.Split)", () => {
  it.each([
    ["nginx", "nginx", "", ""],
    ["nginx:1.2.3", "nginx", "1.2.3", ""],
    ["nginx@sha256:12345", "nginx", "", "sha256:12345"],
    ["nginx:1.2.3@sha256:12345", "nginx", "1.2.3", "sha256:12345"],
    ["docker.io/nginx:1.2.3", "docker.io/nginx", "1.2.3", ""],
    ["foo.com:443/nginx:1.2.3", "foo.com:443/nginx", "1.2.3", ""],
    ["foo.com:443/nginx:1.2.3@sha256:12345", "foo.com:443/nginx", "1.2.3", "sha256:12345"],
    ["localhost:5000/my-project/ngnix", "localhost:5000/my-project/ngnix", "", ""],
  ])("%s", (reference, name, tag, dig) => {
    expect(splitImage(reference)).toEqual({ name, tag, digest: dig });
  });
});

describe("parseImageArg (kustomize edit set image arguments)", () => {
  it.each([
    ["image1=my-image1:my-tag", { name: "image1", newName: "my-image1", newTag: "my-tag" }],
    ["image1=my-image1:1234", { name: "image1", newName: "my-image1", newTag: "1234" }],
    [`image1=my-image1@${digest}`, { name: "image1", newName: "my-image1", digest }],
    ["image1:my-tag", { name: "image1", newTag: "my-tag" }],
    [`image1@${digest}`, { name: "image1", digest }],
    [`my-image1:my-tag@${digest}`, { name: "my-image1", newTag: "my-tag", digest }],
    [
      `image1=my-image1:my-tag@${digest}`,
      { name: "image1", newName: "my-image1", newTag: "my-tag", digest },
    ],
    [
      "ngnix=localhost:5000/my-project/ngnix",
      { name: "ngnix", newName: "localhost:5000/my-project/ngnix" },
    ],
    [
      "ngnix=localhost:5000/my-project/ngnix:dev-01",
      { name: "ngnix", newName: "localhost:5000/my-project/ngnix", newTag: "dev-01" },
    ],
    [
      "ghcr.io/org/app=ghcr.io/org/app:main-abc1234",
      { name: "ghcr.io/org/app", newName: "ghcr.io/org/app", newTag: "main-abc1234" },
    ],
    ["image1=*:v1", { name: "image1", newName: "*", newTag: "v1" }],
    ["image1=my-image1:*", { name: "image1", newName: "my-image1", newTag: "*" }],
    [`image2=*@${digest}`, { name: "image2", newName: "*", digest }],
    ["image2=my-image2@*", { name: "image2", newName: "my-image2", digest: "*" }],
    ["image1=", { name: "image1" }],
    ["nginx:", { name: "nginx" }],
  ])("%s", (arg, entry) => {
    expect(parseImageArg(arg)).toEqual(entry);
  });

  it.each(["bad", "", " nginx:1", "=nginx:1", ":v1", "@sha256:1"])(
    "refuses %j and lists the accepted forms",
    (arg) => {
      expect(() => parseImageArg(arg)).toThrow(KustomizeError);
      expect(() => parseImageArg(arg)).toThrow(
        /<image>=<newimage>:<newtag>[\s\S]*<image>@<digest>/,
      );
    },
  );
});

describe("parseImageReference and formatImageReference (exported)", () => {
  it.each([
    ["nginx", { name: "nginx" }],
    ["foo.com:443/nginx:1.2.3", { name: "foo.com:443/nginx", tag: "1.2.3" }],
    [`ghcr.io/acme/app:v1@${digest}`, { name: "ghcr.io/acme/app", tag: "v1", digest }],
    [`ghcr.io/acme/app@${digest}`, { name: "ghcr.io/acme/app", digest }],
  ])("%s round-trips", (reference, parts) => {
    expect(parseImageReference(reference)).toEqual(parts);
    expect(formatImageReference(parts)).toBe(reference);
  });
});
