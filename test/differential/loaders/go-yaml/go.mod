module migration-gate/differential/go-yaml

go 1.21

require (
	gopkg.in/yaml.v2 v2.4.0
	gopkg.in/yaml.v3 v3.0.1
)
