"""Integration tests: the modules run by ansible-playbook against the WorkSpaces simulator."""
