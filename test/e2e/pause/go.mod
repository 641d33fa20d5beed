// The pod sandbox ("pause") program of the e2e node: no registry can be
// reached here, so the image containerd needs for every pod is built from this.
module migration-gate.local/e2e/pause

go 1.22
