{{/* Chart name. */}}
{{- define "migration-gate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name prefix of every resource: fullnameOverride, else the release name
when it contains the chart name, else <release>-<chart> when that fits, else
the release name. At most 23 characters: pod names (<fullname>-<rs hash>-<suffix>,
+17) are the audit writer ids (GATE_WRITER_ID), which the gate caps at 40.
*/}}
{{- define "migration-gate.fullname" -}}
{{- $name := "" }}
{{- if .Values.fullnameOverride }}
{{- $name = .Values.fullnameOverride }}
{{- else }}
{{- $base := default .Chart.Name .Values.nameOverride }}
{{- if contains $base .Release.Name }}
{{- $name = .Release.Name }}
{{- else if le (len (printf "%s-%s" .Release.Name $base)) 23 }}
{{- $name = printf "%s-%s" .Release.Name $base }}
{{- else }}
{{- /* <release>-<chart> would be too long: the release name alone is unique enough. */}}
{{- $name = .Release.Name }}
{{- end }}
{{- end }}
{{- $name = $name | trimSuffix "-" }}
{{- if gt (len $name) 23 }}
{{- fail (printf "resource name prefix %q is %d characters, the limit is 23 (pod names are audit writer ids, max 40): set fullnameOverride or use a shorter release name" $name (len $name)) }}
{{- end }}
{{- $name }}
{{- end }}

{{- define "migration-gate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Common labels without the component (hook and test objects add their own). */}}
{{- define "migration-gate.commonLabels" -}}
helm.sh/chart: {{ include "migration-gate.chart" . }}
app.kubernetes.io/name: {{ include "migration-gate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: migration-gate
{{- end }}

{{/* Labels of the gate's own objects. */}}
{{- define "migration-gate.labels" -}}
{{ include "migration-gate.commonLabels" . }}
app.kubernetes.io/component: webhook
{{- end }}

{{/* Selector labels (immutable on a Deployment: never add to these). */}}
{{- define "migration-gate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "migration-gate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: webhook
{{- end }}

{{/* Names of the objects the gate itself reads and writes (RBAC resourceNames). */}}
{{- define "migration-gate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}{{ default (include "migration-gate.fullname" .) .Values.serviceAccount.name }}{{ else }}{{ required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}{{ end }}
{{- end }}
{{- define "migration-gate.webhookConfigName" -}}{{ include "migration-gate.fullname" . }}{{- end }}
{{- define "migration-gate.tlsSecretName" -}}
{{- if eq .Values.tls.mode "existingSecret" }}{{ required "tls.existingSecret is required when tls.mode=existingSecret" .Values.tls.existingSecret }}{{ else }}{{ include "migration-gate.fullname" . }}-tls{{ end }}
{{- end }}
{{- define "migration-gate.leaseName" -}}{{ include "migration-gate.fullname" . }}-leader{{- end }}
{{- define "migration-gate.apiTokenSecretName" -}}
{{- if .Values.api.existingSecret }}{{ .Values.api.existingSecret }}{{ else }}{{ include "migration-gate.fullname" . }}-api-token{{ end }}
{{- end }}
{{- define "migration-gate.apiTokenKey" -}}
{{- if .Values.api.existingSecret }}{{ .Values.api.existingSecretKey }}{{ else }}tokens{{ end }}
{{- end }}
{{- define "migration-gate.policiesConfigMapName" -}}
{{- if .Values.policies.existingConfigMap }}{{ .Values.policies.existingConfigMap }}{{ else }}{{ include "migration-gate.fullname" . }}-policies{{ end }}
{{- end }}
{{- define "migration-gate.keysSecretName" -}}
{{- if .Values.keys.existingSecret }}{{ .Values.keys.existingSecret }}{{ else }}{{ include "migration-gate.fullname" . }}-keys{{ end }}
{{- end }}
{{- define "migration-gate.serviceName" -}}{{ include "migration-gate.fullname" . }}{{- end }}

{{/* Is an API token Secret rendered or referenced at all? */}}
{{- define "migration-gate.apiTokensEnabled" -}}
{{- if or .Values.api.existingSecret .Values.api.tokenDigests .Values.api.generateToken }}true{{ end }}
{{- end }}

{{/* The gate image (tag defaults to appVersion; a digest wins). */}}
{{- define "migration-gate.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "migration-gate.hookImage" -}}
{{- default (include "migration-gate.image" .) .Values.hooks.image }}
{{- end }}

{{/* DNS names of the webhook Service (serving certificate SANs). */}}
{{- define "migration-gate.serviceDnsNames" -}}
{{- $svc := include "migration-gate.serviceName" . -}}
{{- $ns := .Release.Namespace -}}
{{- list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) | join "," }}
{{- end }}

{{/* Restricted pod/container security for hook and test pods. */}}
{{- define "migration-gate.hookPodSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}
{{- define "migration-gate.hookSecurityContext" -}}
runAsNonRoot: true
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Webhook clientConfig for one environment (dict "root" $ "env" "prod"|"staging"):
  url mode (gate outside the cluster; webhook.url is the base, e.g.
  https://host:8443/validate, and the environment is appended) or service mode. */}}
{{- define "migration-gate.clientConfig" -}}
{{- $root := .root -}}
{{- $w := $root.Values.webhook -}}
{{- if $w.url }}
url: {{ printf "%s/%s" (trimSuffix "/" $w.url) .env | quote }}
{{- with $w.caBundle }}
caBundle: {{ . }}
{{- end }}
{{- else }}
service:
  name: {{ include "migration-gate.serviceName" $root }}
  namespace: {{ $root.Release.Namespace }}
  path: /validate/{{ .env }}
  port: {{ $root.Values.service.webhookPort }}
{{- if eq $root.Values.tls.mode "existingSecret" }}
caBundle: {{ $w.caBundle }}
{{- end }}
{{- /* selfManaged: no caBundle key at all, so helm upgrade never overwrites the
  CA the gate's leader injected; certManager: injected by cert-manager. */}}
{{- end }}
{{- end }}

{{/* objectSelector and matchConditions shared by every webhook (both narrow
  what the gate sees: what they leave out is admitted without it). */}}
{{- define "migration-gate.webhookFilters" -}}
{{- with .Values.webhook.objectSelector }}
objectSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.webhook.matchConditions }}
matchConditions:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Egress "to" peers and ports for the API server: its real endpoints
  (EndpointSlices of Service default/kubernetes, else its Endpoints) when
  networkPolicy.apiServer.lookup can read them (install/upgrade), else the
  configured cidrs/ports. Output: YAML {to: [...], ports: [...]}. */}}
{{- define "migration-gate.apiServerEgress" -}}
{{- $cfg := .Values.networkPolicy.apiServer -}}
{{- $addrs := list -}}
{{- $ports := list -}}
{{- if $cfg.lookup }}
{{- $slices := lookup "discovery.k8s.io/v1" "EndpointSlice" "default" "" -}}
{{- range (dig "items" list $slices) }}
{{- if eq (dig "metadata" "labels" "kubernetes.io/service-name" "" .) "kubernetes" }}
{{- range (dig "ports" list .) }}{{ $ports = append $ports (int .port) }}{{ end }}
{{- $v6 := eq (dig "addressType" "" .) "IPv6" -}}
{{- range (dig "endpoints" list .) }}
{{- range .addresses }}{{ $addrs = append $addrs (printf "%s/%s" . (ternary "128" "32" $v6)) }}{{ end }}
{{- end }}
{{- end }}
{{- end }}
{{- /* No EndpointSlices (no controller-manager mirrors them yet): the
  Endpoints object the apiserver itself maintains. */}}
{{- if not $addrs }}
{{- $ports = list }}
{{- $ep := lookup "v1" "Endpoints" "default" "kubernetes" -}}
{{- range (dig "subsets" list $ep) }}
{{- range (dig "ports" list .) }}{{ $ports = append $ports (int .port) }}{{ end }}
{{- range (dig "addresses" list .) }}{{ $addrs = append $addrs (printf "%s/%s" .ip (ternary "128" "32" (contains ":" .ip))) }}{{ end }}
{{- end }}
{{- end }}
{{- end }}
{{- if or (not $addrs) (not $ports) }}
{{- $addrs = $cfg.cidrs }}
{{- $ports = $cfg.ports }}
{{- end }}
to:
{{- range (uniq $addrs) }}
  - ipBlock:
      cidr: {{ . }}
{{- end }}
ports:
{{- range (uniq $ports) }}
  - port: {{ . }}
    protocol: TCP
{{- end }}
{{- end }}

{{- define "migration-gate.auditSigningSecretName" -}}
{{- if .Values.audit.signingKeySecret }}{{ .Values.audit.signingKeySecret }}{{ else }}{{ include "migration-gate.fullname" . }}-audit-signing{{ end }}
{{- end }}
{{- define "migration-gate.archiverName" -}}{{ include "migration-gate.fullname" . | trunc 54 | trimSuffix "-" }}-archiver{{- end }}
{{- define "migration-gate.writerSlotPrefix" -}}{{ include "migration-gate.fullname" . | trunc 30 | trimSuffix "-" }}{{- end }}
{{- define "migration-gate.writerSlots" -}}{{ add (int .Values.replicaCount) 1 }}{{- end }}
