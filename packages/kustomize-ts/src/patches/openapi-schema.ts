/**
 * Strategic-merge rules of the Kubernetes v1.21.2 OpenAPI document that kustomize 5.5 uses
 * for built-in kinds (kyaml's default schema), reduced to the types that lead to a list
 * with a patch strategy. `s`: x-kubernetes-patch-strategy, `k`: merge keys
 * (x-kubernetes-list-map-keys, else x-kubernetes-patch-merge-key), `p`: properties,
 * `i`: list items, `a`: map values; a string names another type (type names drop the
 * document's `io.k8s.` prefix). Reduced from that document once, with the rules that
 * custom-schema.ts applies to a kustomization's own `openapi` file; the document itself is
 * not shipped (several MB). Change an entry only together with a differential case showing
 * kubectl's merge for it.
 */

/** A (reduced) OpenAPI schema node, in the letters above. */
export interface SchemaNode {
  p?: Record<string, SchemaRef>;
  a?: SchemaRef;
  i?: SchemaRef;
  s?: string;
  k?: string[];
}
export type SchemaRef = string | SchemaNode;

export const SCHEMA_TYPES: Record<string, SchemaNode> = {
  "api.admissionregistration.v1.MutatingWebhookConfiguration": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      webhooks: { k: ["name"], s: "merge" },
    },
  },
  "api.admissionregistration.v1.MutatingWebhookConfigurationList": {
    p: { items: { i: "api.admissionregistration.v1.MutatingWebhookConfiguration" } },
  },
  "api.admissionregistration.v1.ValidatingWebhookConfiguration": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      webhooks: { k: ["name"], s: "merge" },
    },
  },
  "api.admissionregistration.v1.ValidatingWebhookConfigurationList": {
    p: { items: { i: "api.admissionregistration.v1.ValidatingWebhookConfiguration" } },
  },
  "api.admissionregistration.v1beta1.MutatingWebhookConfiguration": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      webhooks: { k: ["name"], s: "merge" },
    },
  },
  "api.admissionregistration.v1beta1.MutatingWebhookConfigurationList": {
    p: { items: { i: "api.admissionregistration.v1beta1.MutatingWebhookConfiguration" } },
  },
  "api.admissionregistration.v1beta1.ValidatingWebhookConfiguration": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      webhooks: { k: ["name"], s: "merge" },
    },
  },
  "api.admissionregistration.v1beta1.ValidatingWebhookConfigurationList": {
    p: { items: { i: "api.admissionregistration.v1beta1.ValidatingWebhookConfiguration" } },
  },
  "api.apps.v1.ControllerRevision": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.apps.v1.ControllerRevisionList": { p: { items: { i: "api.apps.v1.ControllerRevision" } } },
  "api.apps.v1.DaemonSet": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      spec: "api.apps.v1.DaemonSetSpec",
      status: "api.apps.v1.DaemonSetStatus",
    },
  },
  "api.apps.v1.DaemonSetList": { p: { items: { i: "api.apps.v1.DaemonSet" } } },
  "api.apps.v1.DaemonSetSpec": { p: { template: "api.core.v1.PodTemplateSpec" } },
  "api.apps.v1.DaemonSetStatus": { p: { conditions: { k: ["type"], s: "merge" } } },
  "api.apps.v1.Deployment": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      spec: "api.apps.v1.DeploymentSpec",
      status: "api.apps.v1.DeploymentStatus",
    },
  },
  "api.apps.v1.DeploymentList": { p: { items: { i: "api.apps.v1.Deployment" } } },
  "api.apps.v1.DeploymentSpec": { p: { template: "api.core.v1.PodTemplateSpec" } },
  "api.apps.v1.DeploymentStatus": { p: { conditions: { k: ["type"], s: "merge" } } },
  "api.apps.v1.ReplicaSet": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      spec: "api.apps.v1.ReplicaSetSpec",
      status: "api.apps.v1.ReplicaSetStatus",
    },
  },
  "api.apps.v1.ReplicaSetList": { p: { items: { i: "api.apps.v1.ReplicaSet" } } },
  "api.apps.v1.ReplicaSetSpec": { p: { template: "api.core.v1.PodTemplateSpec" } },
  "api.apps.v1.ReplicaSetStatus": { p: { conditions: { k: ["type"], s: "merge" } } },
  "api.apps.v1.StatefulSet": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      spec: "api.apps.v1.StatefulSetSpec",
      status: "api.apps.v1.StatefulSetStatus",
    },
  },
  "api.apps.v1.StatefulSetList": { p: { items: { i: "api.apps.v1.StatefulSet" } } },
  "api.apps.v1.StatefulSetSpec": {
    p: {
      template: "api.core.v1.PodTemplateSpec",
      volumeClaimTemplates: { i: "api.core.v1.PersistentVolumeClaim" },
    },
  },
  "api.apps.v1.StatefulSetStatus": { p: { conditions: { k: ["type"], s: "merge" } } },
  "api.authentication.v1.TokenRequest": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.authentication.v1.TokenReview": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.authentication.v1beta1.TokenReview": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.authorization.v1.LocalSubjectAccessReview": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.authorization.v1.SelfSubjectAccessReview": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.authorization.v1.SelfSubjectRulesReview": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.authorization.v1.SubjectAccessReview": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.authorization.v1beta1.LocalSubjectAccessReview": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.authorization.v1beta1.SelfSubjectAccessReview": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.authorization.v1beta1.SelfSubjectRulesReview": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.authorization.v1beta1.SubjectAccessReview": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.autoscaling.v1.HorizontalPodAutoscaler": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.autoscaling.v1.HorizontalPodAutoscalerList": {
    p: { items: { i: "api.autoscaling.v1.HorizontalPodAutoscaler" } },
  },
  "api.autoscaling.v1.Scale": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.autoscaling.v2beta1.HorizontalPodAutoscaler": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.autoscaling.v2beta1.HorizontalPodAutoscalerList": {
    p: { items: { i: "api.autoscaling.v2beta1.HorizontalPodAutoscaler" } },
  },
  "api.autoscaling.v2beta2.HorizontalPodAutoscaler": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.autoscaling.v2beta2.HorizontalPodAutoscalerList": {
    p: { items: { i: "api.autoscaling.v2beta2.HorizontalPodAutoscaler" } },
  },
  "api.batch.v1.CronJob": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta", spec: "api.batch.v1.CronJobSpec" },
  },
  "api.batch.v1.CronJobList": { p: { items: { i: "api.batch.v1.CronJob" } } },
  "api.batch.v1.CronJobSpec": { p: { jobTemplate: "api.batch.v1.JobTemplateSpec" } },
  "api.batch.v1.Job": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      spec: "api.batch.v1.JobSpec",
      status: "api.batch.v1.JobStatus",
    },
  },
  "api.batch.v1.JobList": { p: { items: { i: "api.batch.v1.Job" } } },
  "api.batch.v1.JobSpec": { p: { template: "api.core.v1.PodTemplateSpec" } },
  "api.batch.v1.JobStatus": { p: { conditions: { k: ["type"], s: "merge" } } },
  "api.batch.v1.JobTemplateSpec": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta", spec: "api.batch.v1.JobSpec" },
  },
  "api.batch.v1beta1.CronJob": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      spec: "api.batch.v1beta1.CronJobSpec",
    },
  },
  "api.batch.v1beta1.CronJobList": { p: { items: { i: "api.batch.v1beta1.CronJob" } } },
  "api.batch.v1beta1.CronJobSpec": { p: { jobTemplate: "api.batch.v1beta1.JobTemplateSpec" } },
  "api.batch.v1beta1.JobTemplateSpec": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta", spec: "api.batch.v1.JobSpec" },
  },
  "api.certificates.v1.CertificateSigningRequest": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.certificates.v1.CertificateSigningRequestList": {
    p: { items: { i: "api.certificates.v1.CertificateSigningRequest" } },
  },
  "api.certificates.v1beta1.CertificateSigningRequest": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.certificates.v1beta1.CertificateSigningRequestList": {
    p: { items: { i: "api.certificates.v1beta1.CertificateSigningRequest" } },
  },
  "api.coordination.v1.Lease": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.coordination.v1.LeaseList": { p: { items: { i: "api.coordination.v1.Lease" } } },
  "api.coordination.v1beta1.Lease": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.coordination.v1beta1.LeaseList": { p: { items: { i: "api.coordination.v1beta1.Lease" } } },
  "api.core.v1.Binding": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.core.v1.ComponentStatus": {
    p: {
      conditions: { k: ["type"], s: "merge" },
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
    },
  },
  "api.core.v1.ComponentStatusList": { p: { items: { i: "api.core.v1.ComponentStatus" } } },
  "api.core.v1.ConfigMap": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.core.v1.ConfigMapList": { p: { items: { i: "api.core.v1.ConfigMap" } } },
  "api.core.v1.Container": {
    p: {
      env: { k: ["name"], s: "merge" },
      ports: { k: ["containerPort", "protocol"], s: "merge" },
      volumeDevices: { k: ["devicePath"], s: "merge" },
      volumeMounts: { k: ["mountPath"], s: "merge" },
    },
  },
  "api.core.v1.Endpoints": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.core.v1.EndpointsList": { p: { items: { i: "api.core.v1.Endpoints" } } },
  "api.core.v1.EphemeralContainer": {
    p: {
      env: { k: ["name"], s: "merge" },
      volumeDevices: { k: ["devicePath"], s: "merge" },
      volumeMounts: { k: ["mountPath"], s: "merge" },
    },
  },
  "api.core.v1.EphemeralVolumeSource": {
    p: { volumeClaimTemplate: "api.core.v1.PersistentVolumeClaimTemplate" },
  },
  "api.core.v1.Event": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.core.v1.EventList": { p: { items: { i: "api.core.v1.Event" } } },
  "api.core.v1.LimitRange": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.core.v1.LimitRangeList": { p: { items: { i: "api.core.v1.LimitRange" } } },
  "api.core.v1.Namespace": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      status: "api.core.v1.NamespaceStatus",
    },
  },
  "api.core.v1.NamespaceList": { p: { items: { i: "api.core.v1.Namespace" } } },
  "api.core.v1.NamespaceStatus": { p: { conditions: { k: ["type"], s: "merge" } } },
  "api.core.v1.Node": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      spec: "api.core.v1.NodeSpec",
      status: "api.core.v1.NodeStatus",
    },
  },
  "api.core.v1.NodeList": { p: { items: { i: "api.core.v1.Node" } } },
  "api.core.v1.NodeSpec": { p: { podCIDRs: { s: "merge" } } },
  "api.core.v1.NodeStatus": {
    p: { addresses: { k: ["type"], s: "merge" }, conditions: { k: ["type"], s: "merge" } },
  },
  "api.core.v1.PersistentVolume": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.core.v1.PersistentVolumeClaim": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      status: "api.core.v1.PersistentVolumeClaimStatus",
    },
  },
  "api.core.v1.PersistentVolumeClaimList": {
    p: { items: { i: "api.core.v1.PersistentVolumeClaim" } },
  },
  "api.core.v1.PersistentVolumeClaimStatus": { p: { conditions: { k: ["type"], s: "merge" } } },
  "api.core.v1.PersistentVolumeClaimTemplate": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.core.v1.PersistentVolumeList": { p: { items: { i: "api.core.v1.PersistentVolume" } } },
  "api.core.v1.Pod": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      spec: "api.core.v1.PodSpec",
      status: "api.core.v1.PodStatus",
    },
  },
  "api.core.v1.PodList": { p: { items: { i: "api.core.v1.Pod" } } },
  "api.core.v1.PodSpec": {
    p: {
      containers: { i: "api.core.v1.Container", k: ["name"], s: "merge" },
      ephemeralContainers: { i: "api.core.v1.EphemeralContainer", k: ["name"], s: "merge" },
      hostAliases: { k: ["ip"], s: "merge" },
      imagePullSecrets: { k: ["name"], s: "merge" },
      initContainers: { i: "api.core.v1.Container", k: ["name"], s: "merge" },
      topologySpreadConstraints: { k: ["topologyKey", "whenUnsatisfiable"], s: "merge" },
      volumes: { i: "api.core.v1.Volume", k: ["name"], s: "merge,retainKeys" },
    },
  },
  "api.core.v1.PodStatus": {
    p: { conditions: { k: ["type"], s: "merge" }, podIPs: { k: ["ip"], s: "merge" } },
  },
  "api.core.v1.PodTemplate": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      template: "api.core.v1.PodTemplateSpec",
    },
  },
  "api.core.v1.PodTemplateList": { p: { items: { i: "api.core.v1.PodTemplate" } } },
  "api.core.v1.PodTemplateSpec": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta", spec: "api.core.v1.PodSpec" },
  },
  "api.core.v1.ReplicationController": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      spec: "api.core.v1.ReplicationControllerSpec",
      status: "api.core.v1.ReplicationControllerStatus",
    },
  },
  "api.core.v1.ReplicationControllerList": {
    p: { items: { i: "api.core.v1.ReplicationController" } },
  },
  "api.core.v1.ReplicationControllerSpec": { p: { template: "api.core.v1.PodTemplateSpec" } },
  "api.core.v1.ReplicationControllerStatus": { p: { conditions: { k: ["type"], s: "merge" } } },
  "api.core.v1.ResourceQuota": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.core.v1.ResourceQuotaList": { p: { items: { i: "api.core.v1.ResourceQuota" } } },
  "api.core.v1.Secret": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.core.v1.SecretList": { p: { items: { i: "api.core.v1.Secret" } } },
  "api.core.v1.Service": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      spec: "api.core.v1.ServiceSpec",
      status: "api.core.v1.ServiceStatus",
    },
  },
  "api.core.v1.ServiceAccount": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      secrets: { k: ["name"], s: "merge" },
    },
  },
  "api.core.v1.ServiceAccountList": { p: { items: { i: "api.core.v1.ServiceAccount" } } },
  "api.core.v1.ServiceList": { p: { items: { i: "api.core.v1.Service" } } },
  "api.core.v1.ServiceSpec": { p: { ports: { k: ["port", "protocol"], s: "merge" } } },
  "api.core.v1.ServiceStatus": { p: { conditions: { k: ["type"], s: "merge" } } },
  "api.core.v1.Volume": { p: { ephemeral: "api.core.v1.EphemeralVolumeSource" } },
  "api.discovery.v1.EndpointSlice": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.discovery.v1.EndpointSliceList": { p: { items: { i: "api.discovery.v1.EndpointSlice" } } },
  "api.discovery.v1beta1.EndpointSlice": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.discovery.v1beta1.EndpointSliceList": {
    p: { items: { i: "api.discovery.v1beta1.EndpointSlice" } },
  },
  "api.events.v1.Event": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.events.v1.EventList": { p: { items: { i: "api.events.v1.Event" } } },
  "api.events.v1beta1.Event": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.events.v1beta1.EventList": { p: { items: { i: "api.events.v1beta1.Event" } } },
  "api.extensions.v1beta1.Ingress": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.extensions.v1beta1.IngressList": { p: { items: { i: "api.extensions.v1beta1.Ingress" } } },
  "api.flowcontrol.v1beta1.FlowSchema": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.flowcontrol.v1beta1.FlowSchemaList": {
    p: { items: { i: "api.flowcontrol.v1beta1.FlowSchema" } },
  },
  "api.flowcontrol.v1beta1.PriorityLevelConfiguration": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.flowcontrol.v1beta1.PriorityLevelConfigurationList": {
    p: { items: { i: "api.flowcontrol.v1beta1.PriorityLevelConfiguration" } },
  },
  "api.networking.v1.Ingress": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.networking.v1.IngressClass": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.networking.v1.IngressClassList": { p: { items: { i: "api.networking.v1.IngressClass" } } },
  "api.networking.v1.IngressList": { p: { items: { i: "api.networking.v1.Ingress" } } },
  "api.networking.v1.NetworkPolicy": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.networking.v1.NetworkPolicyList": { p: { items: { i: "api.networking.v1.NetworkPolicy" } } },
  "api.networking.v1beta1.Ingress": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.networking.v1beta1.IngressClass": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.networking.v1beta1.IngressClassList": {
    p: { items: { i: "api.networking.v1beta1.IngressClass" } },
  },
  "api.networking.v1beta1.IngressList": { p: { items: { i: "api.networking.v1beta1.Ingress" } } },
  "api.node.v1.RuntimeClass": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.node.v1.RuntimeClassList": { p: { items: { i: "api.node.v1.RuntimeClass" } } },
  "api.node.v1beta1.RuntimeClass": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.node.v1beta1.RuntimeClassList": { p: { items: { i: "api.node.v1beta1.RuntimeClass" } } },
  "api.policy.v1.PodDisruptionBudget": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      status: "api.policy.v1.PodDisruptionBudgetStatus",
    },
  },
  "api.policy.v1.PodDisruptionBudgetList": {
    p: { items: { i: "api.policy.v1.PodDisruptionBudget" } },
  },
  "api.policy.v1.PodDisruptionBudgetStatus": { p: { conditions: { k: ["type"], s: "merge" } } },
  "api.policy.v1beta1.Eviction": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.policy.v1beta1.PodDisruptionBudget": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      status: "api.policy.v1beta1.PodDisruptionBudgetStatus",
    },
  },
  "api.policy.v1beta1.PodDisruptionBudgetList": {
    p: { items: { i: "api.policy.v1beta1.PodDisruptionBudget" } },
  },
  "api.policy.v1beta1.PodDisruptionBudgetStatus": {
    p: { conditions: { k: ["type"], s: "merge" } },
  },
  "api.policy.v1beta1.PodSecurityPolicy": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.policy.v1beta1.PodSecurityPolicyList": {
    p: { items: { i: "api.policy.v1beta1.PodSecurityPolicy" } },
  },
  "api.rbac.v1.ClusterRole": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.rbac.v1.ClusterRoleBinding": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.rbac.v1.ClusterRoleBindingList": { p: { items: { i: "api.rbac.v1.ClusterRoleBinding" } } },
  "api.rbac.v1.ClusterRoleList": { p: { items: { i: "api.rbac.v1.ClusterRole" } } },
  "api.rbac.v1.Role": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.rbac.v1.RoleBinding": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.rbac.v1.RoleBindingList": { p: { items: { i: "api.rbac.v1.RoleBinding" } } },
  "api.rbac.v1.RoleList": { p: { items: { i: "api.rbac.v1.Role" } } },
  "api.rbac.v1beta1.ClusterRole": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.rbac.v1beta1.ClusterRoleBinding": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.rbac.v1beta1.ClusterRoleBindingList": {
    p: { items: { i: "api.rbac.v1beta1.ClusterRoleBinding" } },
  },
  "api.rbac.v1beta1.ClusterRoleList": { p: { items: { i: "api.rbac.v1beta1.ClusterRole" } } },
  "api.rbac.v1beta1.Role": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.rbac.v1beta1.RoleBinding": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.rbac.v1beta1.RoleBindingList": { p: { items: { i: "api.rbac.v1beta1.RoleBinding" } } },
  "api.rbac.v1beta1.RoleList": { p: { items: { i: "api.rbac.v1beta1.Role" } } },
  "api.scheduling.v1.PriorityClass": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.scheduling.v1.PriorityClassList": { p: { items: { i: "api.scheduling.v1.PriorityClass" } } },
  "api.scheduling.v1beta1.PriorityClass": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.scheduling.v1beta1.PriorityClassList": {
    p: { items: { i: "api.scheduling.v1beta1.PriorityClass" } },
  },
  "api.storage.v1.CSIDriver": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.storage.v1.CSIDriverList": { p: { items: { i: "api.storage.v1.CSIDriver" } } },
  "api.storage.v1.CSINode": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta", spec: "api.storage.v1.CSINodeSpec" },
  },
  "api.storage.v1.CSINodeList": { p: { items: { i: "api.storage.v1.CSINode" } } },
  "api.storage.v1.CSINodeSpec": { p: { drivers: { k: ["name"], s: "merge" } } },
  "api.storage.v1.StorageClass": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.storage.v1.StorageClassList": { p: { items: { i: "api.storage.v1.StorageClass" } } },
  "api.storage.v1.VolumeAttachment": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.storage.v1.VolumeAttachmentList": { p: { items: { i: "api.storage.v1.VolumeAttachment" } } },
  "api.storage.v1beta1.CSIDriver": { p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  "api.storage.v1beta1.CSIDriverList": { p: { items: { i: "api.storage.v1beta1.CSIDriver" } } },
  "api.storage.v1beta1.CSINode": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      spec: "api.storage.v1beta1.CSINodeSpec",
    },
  },
  "api.storage.v1beta1.CSINodeList": { p: { items: { i: "api.storage.v1beta1.CSINode" } } },
  "api.storage.v1beta1.CSINodeSpec": { p: { drivers: { k: ["name"], s: "merge" } } },
  "api.storage.v1beta1.CSIStorageCapacity": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.storage.v1beta1.CSIStorageCapacityList": {
    p: { items: { i: "api.storage.v1beta1.CSIStorageCapacity" } },
  },
  "api.storage.v1beta1.StorageClass": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.storage.v1beta1.StorageClassList": {
    p: { items: { i: "api.storage.v1beta1.StorageClass" } },
  },
  "api.storage.v1beta1.VolumeAttachment": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "api.storage.v1beta1.VolumeAttachmentList": {
    p: { items: { i: "api.storage.v1beta1.VolumeAttachment" } },
  },
  "apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionList": {
    p: {
      items: { i: "apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition" },
    },
  },
  "apiextensions-apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceDefinition": {
    p: { metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta" },
  },
  "apiextensions-apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceDefinitionList": {
    p: {
      items: {
        i: "apiextensions-apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceDefinition",
      },
    },
  },
  "apimachinery.pkg.apis.meta.v1.ObjectMeta": {
    p: { finalizers: { s: "merge" }, ownerReferences: { k: ["uid"], s: "merge" } },
  },
  "kube-aggregator.pkg.apis.apiregistration.v1.APIService": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      status: "kube-aggregator.pkg.apis.apiregistration.v1.APIServiceStatus",
    },
  },
  "kube-aggregator.pkg.apis.apiregistration.v1.APIServiceList": {
    p: { items: { i: "kube-aggregator.pkg.apis.apiregistration.v1.APIService" } },
  },
  "kube-aggregator.pkg.apis.apiregistration.v1.APIServiceStatus": {
    p: { conditions: { k: ["type"], s: "merge" } },
  },
  "kube-aggregator.pkg.apis.apiregistration.v1beta1.APIService": {
    p: {
      metadata: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
      status: "kube-aggregator.pkg.apis.apiregistration.v1beta1.APIServiceStatus",
    },
  },
  "kube-aggregator.pkg.apis.apiregistration.v1beta1.APIServiceList": {
    p: { items: { i: "kube-aggregator.pkg.apis.apiregistration.v1beta1.APIService" } },
  },
  "kube-aggregator.pkg.apis.apiregistration.v1beta1.APIServiceStatus": {
    p: { conditions: { k: ["type"], s: "merge" } },
  },
};

/** "apiVersion kind" -> type name ("" when the type has no strategic list). */
export const GVK_TYPES: Record<string, string> = {
  "admission.k8s.io/v1 DeleteOptions": "",
  "admission.k8s.io/v1 WatchEvent": "",
  "admission.k8s.io/v1beta1 DeleteOptions": "",
  "admission.k8s.io/v1beta1 WatchEvent": "",
  "admissionregistration.k8s.io/v1 DeleteOptions": "",
  "admissionregistration.k8s.io/v1 MutatingWebhookConfiguration":
    "api.admissionregistration.v1.MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1 MutatingWebhookConfigurationList":
    "api.admissionregistration.v1.MutatingWebhookConfigurationList",
  "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration":
    "api.admissionregistration.v1.ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1 ValidatingWebhookConfigurationList":
    "api.admissionregistration.v1.ValidatingWebhookConfigurationList",
  "admissionregistration.k8s.io/v1 WatchEvent": "",
  "admissionregistration.k8s.io/v1beta1 DeleteOptions": "",
  "admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration":
    "api.admissionregistration.v1beta1.MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1beta1 MutatingWebhookConfigurationList":
    "api.admissionregistration.v1beta1.MutatingWebhookConfigurationList",
  "admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration":
    "api.admissionregistration.v1beta1.ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfigurationList":
    "api.admissionregistration.v1beta1.ValidatingWebhookConfigurationList",
  "admissionregistration.k8s.io/v1beta1 WatchEvent": "",
  "apiextensions.k8s.io/v1 CustomResourceDefinition":
    "apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
  "apiextensions.k8s.io/v1 CustomResourceDefinitionList":
    "apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionList",
  "apiextensions.k8s.io/v1 DeleteOptions": "",
  "apiextensions.k8s.io/v1 WatchEvent": "",
  "apiextensions.k8s.io/v1beta1 CustomResourceDefinition":
    "apiextensions-apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceDefinition",
  "apiextensions.k8s.io/v1beta1 CustomResourceDefinitionList":
    "apiextensions-apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceDefinitionList",
  "apiextensions.k8s.io/v1beta1 DeleteOptions": "",
  "apiextensions.k8s.io/v1beta1 WatchEvent": "",
  "apiregistration.k8s.io/v1 APIService": "kube-aggregator.pkg.apis.apiregistration.v1.APIService",
  "apiregistration.k8s.io/v1 APIServiceList":
    "kube-aggregator.pkg.apis.apiregistration.v1.APIServiceList",
  "apiregistration.k8s.io/v1 DeleteOptions": "",
  "apiregistration.k8s.io/v1 WatchEvent": "",
  "apiregistration.k8s.io/v1beta1 APIService":
    "kube-aggregator.pkg.apis.apiregistration.v1beta1.APIService",
  "apiregistration.k8s.io/v1beta1 APIServiceList":
    "kube-aggregator.pkg.apis.apiregistration.v1beta1.APIServiceList",
  "apiregistration.k8s.io/v1beta1 DeleteOptions": "",
  "apiregistration.k8s.io/v1beta1 WatchEvent": "",
  "apps/v1 ControllerRevision": "api.apps.v1.ControllerRevision",
  "apps/v1 ControllerRevisionList": "api.apps.v1.ControllerRevisionList",
  "apps/v1 DaemonSet": "api.apps.v1.DaemonSet",
  "apps/v1 DaemonSetList": "api.apps.v1.DaemonSetList",
  "apps/v1 DeleteOptions": "",
  "apps/v1 Deployment": "api.apps.v1.Deployment",
  "apps/v1 DeploymentList": "api.apps.v1.DeploymentList",
  "apps/v1 ReplicaSet": "api.apps.v1.ReplicaSet",
  "apps/v1 ReplicaSetList": "api.apps.v1.ReplicaSetList",
  "apps/v1 StatefulSet": "api.apps.v1.StatefulSet",
  "apps/v1 StatefulSetList": "api.apps.v1.StatefulSetList",
  "apps/v1 WatchEvent": "",
  "apps/v1beta1 DeleteOptions": "",
  "apps/v1beta1 WatchEvent": "",
  "apps/v1beta2 DeleteOptions": "",
  "apps/v1beta2 WatchEvent": "",
  "authentication.k8s.io/v1 DeleteOptions": "",
  "authentication.k8s.io/v1 TokenRequest": "api.authentication.v1.TokenRequest",
  "authentication.k8s.io/v1 TokenReview": "api.authentication.v1.TokenReview",
  "authentication.k8s.io/v1 WatchEvent": "",
  "authentication.k8s.io/v1beta1 DeleteOptions": "",
  "authentication.k8s.io/v1beta1 TokenReview": "api.authentication.v1beta1.TokenReview",
  "authentication.k8s.io/v1beta1 WatchEvent": "",
  "authorization.k8s.io/v1 DeleteOptions": "",
  "authorization.k8s.io/v1 LocalSubjectAccessReview":
    "api.authorization.v1.LocalSubjectAccessReview",
  "authorization.k8s.io/v1 SelfSubjectAccessReview": "api.authorization.v1.SelfSubjectAccessReview",
  "authorization.k8s.io/v1 SelfSubjectRulesReview": "api.authorization.v1.SelfSubjectRulesReview",
  "authorization.k8s.io/v1 SubjectAccessReview": "api.authorization.v1.SubjectAccessReview",
  "authorization.k8s.io/v1 WatchEvent": "",
  "authorization.k8s.io/v1beta1 DeleteOptions": "",
  "authorization.k8s.io/v1beta1 LocalSubjectAccessReview":
    "api.authorization.v1beta1.LocalSubjectAccessReview",
  "authorization.k8s.io/v1beta1 SelfSubjectAccessReview":
    "api.authorization.v1beta1.SelfSubjectAccessReview",
  "authorization.k8s.io/v1beta1 SelfSubjectRulesReview":
    "api.authorization.v1beta1.SelfSubjectRulesReview",
  "authorization.k8s.io/v1beta1 SubjectAccessReview":
    "api.authorization.v1beta1.SubjectAccessReview",
  "authorization.k8s.io/v1beta1 WatchEvent": "",
  "autoscaling/v1 DeleteOptions": "",
  "autoscaling/v1 HorizontalPodAutoscaler": "api.autoscaling.v1.HorizontalPodAutoscaler",
  "autoscaling/v1 HorizontalPodAutoscalerList": "api.autoscaling.v1.HorizontalPodAutoscalerList",
  "autoscaling/v1 Scale": "api.autoscaling.v1.Scale",
  "autoscaling/v1 WatchEvent": "",
  "autoscaling/v2beta1 DeleteOptions": "",
  "autoscaling/v2beta1 HorizontalPodAutoscaler": "api.autoscaling.v2beta1.HorizontalPodAutoscaler",
  "autoscaling/v2beta1 HorizontalPodAutoscalerList":
    "api.autoscaling.v2beta1.HorizontalPodAutoscalerList",
  "autoscaling/v2beta1 WatchEvent": "",
  "autoscaling/v2beta2 DeleteOptions": "",
  "autoscaling/v2beta2 HorizontalPodAutoscaler": "api.autoscaling.v2beta2.HorizontalPodAutoscaler",
  "autoscaling/v2beta2 HorizontalPodAutoscalerList":
    "api.autoscaling.v2beta2.HorizontalPodAutoscalerList",
  "autoscaling/v2beta2 WatchEvent": "",
  "batch/v1 CronJob": "api.batch.v1.CronJob",
  "batch/v1 CronJobList": "api.batch.v1.CronJobList",
  "batch/v1 DeleteOptions": "",
  "batch/v1 Job": "api.batch.v1.Job",
  "batch/v1 JobList": "api.batch.v1.JobList",
  "batch/v1 WatchEvent": "",
  "batch/v1beta1 CronJob": "api.batch.v1beta1.CronJob",
  "batch/v1beta1 CronJobList": "api.batch.v1beta1.CronJobList",
  "batch/v1beta1 DeleteOptions": "",
  "batch/v1beta1 WatchEvent": "",
  "certificates.k8s.io/v1 CertificateSigningRequest":
    "api.certificates.v1.CertificateSigningRequest",
  "certificates.k8s.io/v1 CertificateSigningRequestList":
    "api.certificates.v1.CertificateSigningRequestList",
  "certificates.k8s.io/v1 DeleteOptions": "",
  "certificates.k8s.io/v1 WatchEvent": "",
  "certificates.k8s.io/v1beta1 CertificateSigningRequest":
    "api.certificates.v1beta1.CertificateSigningRequest",
  "certificates.k8s.io/v1beta1 CertificateSigningRequestList":
    "api.certificates.v1beta1.CertificateSigningRequestList",
  "certificates.k8s.io/v1beta1 DeleteOptions": "",
  "certificates.k8s.io/v1beta1 WatchEvent": "",
  "coordination.k8s.io/v1 DeleteOptions": "",
  "coordination.k8s.io/v1 Lease": "api.coordination.v1.Lease",
  "coordination.k8s.io/v1 LeaseList": "api.coordination.v1.LeaseList",
  "coordination.k8s.io/v1 WatchEvent": "",
  "coordination.k8s.io/v1beta1 DeleteOptions": "",
  "coordination.k8s.io/v1beta1 Lease": "api.coordination.v1beta1.Lease",
  "coordination.k8s.io/v1beta1 LeaseList": "api.coordination.v1beta1.LeaseList",
  "coordination.k8s.io/v1beta1 WatchEvent": "",
  "discovery.k8s.io/v1 DeleteOptions": "",
  "discovery.k8s.io/v1 EndpointSlice": "api.discovery.v1.EndpointSlice",
  "discovery.k8s.io/v1 EndpointSliceList": "api.discovery.v1.EndpointSliceList",
  "discovery.k8s.io/v1 WatchEvent": "",
  "discovery.k8s.io/v1beta1 DeleteOptions": "",
  "discovery.k8s.io/v1beta1 EndpointSlice": "api.discovery.v1beta1.EndpointSlice",
  "discovery.k8s.io/v1beta1 EndpointSliceList": "api.discovery.v1beta1.EndpointSliceList",
  "discovery.k8s.io/v1beta1 WatchEvent": "",
  "events.k8s.io/v1 DeleteOptions": "",
  "events.k8s.io/v1 Event": "api.events.v1.Event",
  "events.k8s.io/v1 EventList": "api.events.v1.EventList",
  "events.k8s.io/v1 WatchEvent": "",
  "events.k8s.io/v1beta1 DeleteOptions": "",
  "events.k8s.io/v1beta1 Event": "api.events.v1beta1.Event",
  "events.k8s.io/v1beta1 EventList": "api.events.v1beta1.EventList",
  "events.k8s.io/v1beta1 WatchEvent": "",
  "extensions/v1beta1 DeleteOptions": "",
  "extensions/v1beta1 Ingress": "api.extensions.v1beta1.Ingress",
  "extensions/v1beta1 IngressList": "api.extensions.v1beta1.IngressList",
  "extensions/v1beta1 WatchEvent": "",
  "flowcontrol.apiserver.k8s.io/v1alpha1 DeleteOptions": "",
  "flowcontrol.apiserver.k8s.io/v1alpha1 WatchEvent": "",
  "flowcontrol.apiserver.k8s.io/v1beta1 DeleteOptions": "",
  "flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema": "api.flowcontrol.v1beta1.FlowSchema",
  "flowcontrol.apiserver.k8s.io/v1beta1 FlowSchemaList": "api.flowcontrol.v1beta1.FlowSchemaList",
  "flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration":
    "api.flowcontrol.v1beta1.PriorityLevelConfiguration",
  "flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfigurationList":
    "api.flowcontrol.v1beta1.PriorityLevelConfigurationList",
  "flowcontrol.apiserver.k8s.io/v1beta1 WatchEvent": "",
  "imagepolicy.k8s.io/v1alpha1 DeleteOptions": "",
  "imagepolicy.k8s.io/v1alpha1 WatchEvent": "",
  "internal.apiserver.k8s.io/v1alpha1 DeleteOptions": "",
  "internal.apiserver.k8s.io/v1alpha1 WatchEvent": "",
  "networking.k8s.io/v1 DeleteOptions": "",
  "networking.k8s.io/v1 Ingress": "api.networking.v1.Ingress",
  "networking.k8s.io/v1 IngressClass": "api.networking.v1.IngressClass",
  "networking.k8s.io/v1 IngressClassList": "api.networking.v1.IngressClassList",
  "networking.k8s.io/v1 IngressList": "api.networking.v1.IngressList",
  "networking.k8s.io/v1 NetworkPolicy": "api.networking.v1.NetworkPolicy",
  "networking.k8s.io/v1 NetworkPolicyList": "api.networking.v1.NetworkPolicyList",
  "networking.k8s.io/v1 WatchEvent": "",
  "networking.k8s.io/v1beta1 DeleteOptions": "",
  "networking.k8s.io/v1beta1 Ingress": "api.networking.v1beta1.Ingress",
  "networking.k8s.io/v1beta1 IngressClass": "api.networking.v1beta1.IngressClass",
  "networking.k8s.io/v1beta1 IngressClassList": "api.networking.v1beta1.IngressClassList",
  "networking.k8s.io/v1beta1 IngressList": "api.networking.v1beta1.IngressList",
  "networking.k8s.io/v1beta1 WatchEvent": "",
  "node.k8s.io/v1 DeleteOptions": "",
  "node.k8s.io/v1 RuntimeClass": "api.node.v1.RuntimeClass",
  "node.k8s.io/v1 RuntimeClassList": "api.node.v1.RuntimeClassList",
  "node.k8s.io/v1 WatchEvent": "",
  "node.k8s.io/v1alpha1 DeleteOptions": "",
  "node.k8s.io/v1alpha1 WatchEvent": "",
  "node.k8s.io/v1beta1 DeleteOptions": "",
  "node.k8s.io/v1beta1 RuntimeClass": "api.node.v1beta1.RuntimeClass",
  "node.k8s.io/v1beta1 RuntimeClassList": "api.node.v1beta1.RuntimeClassList",
  "node.k8s.io/v1beta1 WatchEvent": "",
  "policy/v1 DeleteOptions": "",
  "policy/v1 PodDisruptionBudget": "api.policy.v1.PodDisruptionBudget",
  "policy/v1 PodDisruptionBudgetList": "api.policy.v1.PodDisruptionBudgetList",
  "policy/v1 WatchEvent": "",
  "policy/v1beta1 DeleteOptions": "",
  "policy/v1beta1 Eviction": "api.policy.v1beta1.Eviction",
  "policy/v1beta1 PodDisruptionBudget": "api.policy.v1beta1.PodDisruptionBudget",
  "policy/v1beta1 PodDisruptionBudgetList": "api.policy.v1beta1.PodDisruptionBudgetList",
  "policy/v1beta1 PodSecurityPolicy": "api.policy.v1beta1.PodSecurityPolicy",
  "policy/v1beta1 PodSecurityPolicyList": "api.policy.v1beta1.PodSecurityPolicyList",
  "policy/v1beta1 WatchEvent": "",
  "rbac.authorization.k8s.io/v1 ClusterRole": "api.rbac.v1.ClusterRole",
  "rbac.authorization.k8s.io/v1 ClusterRoleBinding": "api.rbac.v1.ClusterRoleBinding",
  "rbac.authorization.k8s.io/v1 ClusterRoleBindingList": "api.rbac.v1.ClusterRoleBindingList",
  "rbac.authorization.k8s.io/v1 ClusterRoleList": "api.rbac.v1.ClusterRoleList",
  "rbac.authorization.k8s.io/v1 DeleteOptions": "",
  "rbac.authorization.k8s.io/v1 Role": "api.rbac.v1.Role",
  "rbac.authorization.k8s.io/v1 RoleBinding": "api.rbac.v1.RoleBinding",
  "rbac.authorization.k8s.io/v1 RoleBindingList": "api.rbac.v1.RoleBindingList",
  "rbac.authorization.k8s.io/v1 RoleList": "api.rbac.v1.RoleList",
  "rbac.authorization.k8s.io/v1 WatchEvent": "",
  "rbac.authorization.k8s.io/v1alpha1 DeleteOptions": "",
  "rbac.authorization.k8s.io/v1alpha1 WatchEvent": "",
  "rbac.authorization.k8s.io/v1beta1 ClusterRole": "api.rbac.v1beta1.ClusterRole",
  "rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding": "api.rbac.v1beta1.ClusterRoleBinding",
  "rbac.authorization.k8s.io/v1beta1 ClusterRoleBindingList":
    "api.rbac.v1beta1.ClusterRoleBindingList",
  "rbac.authorization.k8s.io/v1beta1 ClusterRoleList": "api.rbac.v1beta1.ClusterRoleList",
  "rbac.authorization.k8s.io/v1beta1 DeleteOptions": "",
  "rbac.authorization.k8s.io/v1beta1 Role": "api.rbac.v1beta1.Role",
  "rbac.authorization.k8s.io/v1beta1 RoleBinding": "api.rbac.v1beta1.RoleBinding",
  "rbac.authorization.k8s.io/v1beta1 RoleBindingList": "api.rbac.v1beta1.RoleBindingList",
  "rbac.authorization.k8s.io/v1beta1 RoleList": "api.rbac.v1beta1.RoleList",
  "rbac.authorization.k8s.io/v1beta1 WatchEvent": "",
  "scheduling.k8s.io/v1 DeleteOptions": "",
  "scheduling.k8s.io/v1 PriorityClass": "api.scheduling.v1.PriorityClass",
  "scheduling.k8s.io/v1 PriorityClassList": "api.scheduling.v1.PriorityClassList",
  "scheduling.k8s.io/v1 WatchEvent": "",
  "scheduling.k8s.io/v1alpha1 DeleteOptions": "",
  "scheduling.k8s.io/v1alpha1 WatchEvent": "",
  "scheduling.k8s.io/v1beta1 DeleteOptions": "",
  "scheduling.k8s.io/v1beta1 PriorityClass": "api.scheduling.v1beta1.PriorityClass",
  "scheduling.k8s.io/v1beta1 PriorityClassList": "api.scheduling.v1beta1.PriorityClassList",
  "scheduling.k8s.io/v1beta1 WatchEvent": "",
  "storage.k8s.io/v1 CSIDriver": "api.storage.v1.CSIDriver",
  "storage.k8s.io/v1 CSIDriverList": "api.storage.v1.CSIDriverList",
  "storage.k8s.io/v1 CSINode": "api.storage.v1.CSINode",
  "storage.k8s.io/v1 CSINodeList": "api.storage.v1.CSINodeList",
  "storage.k8s.io/v1 DeleteOptions": "",
  "storage.k8s.io/v1 StorageClass": "api.storage.v1.StorageClass",
  "storage.k8s.io/v1 StorageClassList": "api.storage.v1.StorageClassList",
  "storage.k8s.io/v1 VolumeAttachment": "api.storage.v1.VolumeAttachment",
  "storage.k8s.io/v1 VolumeAttachmentList": "api.storage.v1.VolumeAttachmentList",
  "storage.k8s.io/v1 WatchEvent": "",
  "storage.k8s.io/v1alpha1 DeleteOptions": "",
  "storage.k8s.io/v1alpha1 WatchEvent": "",
  "storage.k8s.io/v1beta1 CSIDriver": "api.storage.v1beta1.CSIDriver",
  "storage.k8s.io/v1beta1 CSIDriverList": "api.storage.v1beta1.CSIDriverList",
  "storage.k8s.io/v1beta1 CSINode": "api.storage.v1beta1.CSINode",
  "storage.k8s.io/v1beta1 CSINodeList": "api.storage.v1beta1.CSINodeList",
  "storage.k8s.io/v1beta1 CSIStorageCapacity": "api.storage.v1beta1.CSIStorageCapacity",
  "storage.k8s.io/v1beta1 CSIStorageCapacityList": "api.storage.v1beta1.CSIStorageCapacityList",
  "storage.k8s.io/v1beta1 DeleteOptions": "",
  "storage.k8s.io/v1beta1 StorageClass": "api.storage.v1beta1.StorageClass",
  "storage.k8s.io/v1beta1 StorageClassList": "api.storage.v1beta1.StorageClassList",
  "storage.k8s.io/v1beta1 VolumeAttachment": "api.storage.v1beta1.VolumeAttachment",
  "storage.k8s.io/v1beta1 VolumeAttachmentList": "api.storage.v1beta1.VolumeAttachmentList",
  "storage.k8s.io/v1beta1 WatchEvent": "",
  "v1 APIGroup": "",
  "v1 APIGroupList": "",
  "v1 APIResourceList": "",
  "v1 APIVersions": "",
  "v1 Binding": "api.core.v1.Binding",
  "v1 ComponentStatus": "api.core.v1.ComponentStatus",
  "v1 ComponentStatusList": "api.core.v1.ComponentStatusList",
  "v1 ConfigMap": "api.core.v1.ConfigMap",
  "v1 ConfigMapList": "api.core.v1.ConfigMapList",
  "v1 DeleteOptions": "",
  "v1 Endpoints": "api.core.v1.Endpoints",
  "v1 EndpointsList": "api.core.v1.EndpointsList",
  "v1 Event": "api.core.v1.Event",
  "v1 EventList": "api.core.v1.EventList",
  "v1 LimitRange": "api.core.v1.LimitRange",
  "v1 LimitRangeList": "api.core.v1.LimitRangeList",
  "v1 Namespace": "api.core.v1.Namespace",
  "v1 NamespaceList": "api.core.v1.NamespaceList",
  "v1 Node": "api.core.v1.Node",
  "v1 NodeList": "api.core.v1.NodeList",
  "v1 PersistentVolume": "api.core.v1.PersistentVolume",
  "v1 PersistentVolumeClaim": "api.core.v1.PersistentVolumeClaim",
  "v1 PersistentVolumeClaimList": "api.core.v1.PersistentVolumeClaimList",
  "v1 PersistentVolumeList": "api.core.v1.PersistentVolumeList",
  "v1 Pod": "api.core.v1.Pod",
  "v1 PodList": "api.core.v1.PodList",
  "v1 PodTemplate": "api.core.v1.PodTemplate",
  "v1 PodTemplateList": "api.core.v1.PodTemplateList",
  "v1 ReplicationController": "api.core.v1.ReplicationController",
  "v1 ReplicationControllerList": "api.core.v1.ReplicationControllerList",
  "v1 ResourceQuota": "api.core.v1.ResourceQuota",
  "v1 ResourceQuotaList": "api.core.v1.ResourceQuotaList",
  "v1 Secret": "api.core.v1.Secret",
  "v1 SecretList": "api.core.v1.SecretList",
  "v1 Service": "api.core.v1.Service",
  "v1 ServiceAccount": "api.core.v1.ServiceAccount",
  "v1 ServiceAccountList": "api.core.v1.ServiceAccountList",
  "v1 ServiceList": "api.core.v1.ServiceList",
  "v1 Status": "",
  "v1 WatchEvent": "",
};
