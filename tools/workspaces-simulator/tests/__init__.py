"""Tests of the WorkSpaces simulator, run through real boto3 clients over HTTP."""
