# shellcheck shell=bash
# Sourced by the runme.sh of script targets, from their own directory: when
# ../../integration_config.yml names the simulator, seal the environment of
# every ansible-playbook run to it, as tasks/main.yml does for role targets
# (workspaces_test_environment): botocore sends a client given no endpoint to
# AWS_ENDPOINT_URL, and anything else goes to a closed loopback port.
if grep -q '^workspaces_simulator_url:' ../../integration_config.yml 2>/dev/null; then
    AWS_ENDPOINT_URL="$(sed -n 's/^workspaces_endpoint_url: *//p' ../../integration_config.yml)"
    export AWS_ENDPOINT_URL
    export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
    export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
    export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
    export AWS_EC2_METADATA_DISABLED=true
fi
