/**
 * Kinds kustomize knows to be cluster-scoped (from its built-in OpenAPI data). Anything
 * not listed, custom resources included, is treated as namespaced, as kustomize does.
 */
const CLUSTER_SCOPED = new Set([
  "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1beta1/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1beta1/ValidatingWebhookConfiguration",
  "apiextensions.k8s.io/v1/CustomResourceDefinition",
  "apiextensions.k8s.io/v1beta1/CustomResourceDefinition",
  "apiregistration.k8s.io/v1/APIService",
  "apiregistration.k8s.io/v1beta1/APIService",
  "authentication.k8s.io/v1/TokenReview",
  "authentication.k8s.io/v1beta1/TokenReview",
  "authorization.k8s.io/v1/SelfSubjectAccessReview",
  "authorization.k8s.io/v1/SelfSubjectRulesReview",
  "authorization.k8s.io/v1/SubjectAccessReview",
  "authorization.k8s.io/v1beta1/SelfSubjectAccessReview",
  "authorization.k8s.io/v1beta1/SelfSubjectRulesReview",
  "authorization.k8s.io/v1beta1/SubjectAccessReview",
  "certificates.k8s.io/v1/CertificateSigningRequest",
  "certificates.k8s.io/v1beta1/CertificateSigningRequest",
  "flowcontrol.apiserver.k8s.io/v1beta1/FlowSchema",
  "flowcontrol.apiserver.k8s.io/v1beta1/PriorityLevelConfiguration",
  "networking.k8s.io/v1/IngressClass",
  "networking.k8s.io/v1beta1/IngressClass",
  "node.k8s.io/v1/RuntimeClass",
  "node.k8s.io/v1beta1/RuntimeClass",
  "policy/v1beta1/PodSecurityPolicy",
  "rbac.authorization.k8s.io/v1/ClusterRole",
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
  "rbac.authorization.k8s.io/v1beta1/ClusterRole",
  "rbac.authorization.k8s.io/v1beta1/ClusterRoleBinding",
  "scheduling.k8s.io/v1/PriorityClass",
  "scheduling.k8s.io/v1beta1/PriorityClass",
  "storage.k8s.io/v1/CSIDriver",
  "storage.k8s.io/v1/CSINode",
  "storage.k8s.io/v1/StorageClass",
  "storage.k8s.io/v1/VolumeAttachment",
  "storage.k8s.io/v1beta1/CSIDriver",
  "storage.k8s.io/v1beta1/CSINode",
  "storage.k8s.io/v1beta1/StorageClass",
  "storage.k8s.io/v1beta1/VolumeAttachment",
  "v1/ComponentStatus",
  "v1/Namespace",
  "v1/Node",
  "v1/NodeProxyOptions",
  "v1/PersistentVolume",
]);

/** True when kustomize is certain that apiVersion/kind is cluster-scoped. */
export function isClusterScoped(apiVersion: string, kind: string): boolean {
  return CLUSTER_SCOPED.has(`${apiVersion}/${kind}`);
}
