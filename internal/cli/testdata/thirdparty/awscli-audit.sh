#!/bin/bash
# Account-level audit calls with Debian's AWS CLI against orgsim, run by
# TestThirdPartyAuditors (internal/cli/thirdparty_test.go) with the
# environment of `sim serve --env-file`. Debian's AWS CLI (2.9) predates
# AWS_ENDPOINT_URL, so the endpoint is passed with --endpoint-url.
# Pass: no call answers with an unknown-operation error (InvalidAction,
# UnknownOperationException); AWS errors a real account can give are fine.
AWS="${AWS_CLI:-/usr/bin/aws} --endpoint-url $AWS_ENDPOINT_URL --region $AWS_REGION --output json"
unknown=0; ok=0; awserr=0
run() {
  out=$($AWS "$@" 2>&1); rc=$?
  if [ $rc -eq 0 ]; then ok=$((ok+1)); echo "ok      $*";
  elif echo "$out" | grep -q 'InvalidAction\|UnknownOperation'; then unknown=$((unknown+1)); echo "UNKNOWN $*: $out";
  else awserr=$((awserr+1)); echo "awserr  $*: $(echo "$out" | grep -o 'An error occurred ([A-Za-z]*)' | head -1)"; fi
}
# One call or two per service and protocol (awsQuery, awsJson, restJson,
# restXml), as an auditor's shell script makes them; boto3-audit.py, on the
# same botocore, covers the breadth of Custodian's and Prowler's calls.
run sts get-caller-identity
run iam get-account-summary
run iam list-account-aliases
run iam get-account-authorization-details --max-items 20
run iam list-policies --scope AWS --only-attached
for i in 1 2 3 4 5 6 7 8 9 10; do
  st=$($AWS iam generate-credential-report --query State --output text); echo "        generate-credential-report: $st"
  [ "$st" = COMPLETE ] && break; sleep 1   # the test's orgsim builds the report at once
done
run iam get-credential-report
run cloudtrail describe-trails
run configservice describe-configuration-recorder-status
run configservice describe-delivery-channel-status
run accessanalyzer list-analyzers
run organizations list-accounts
run s3api list-buckets
echo "AWS CLI: $ok ok, $awserr AWS errors, $unknown unknown-operation errors"
[ $unknown -eq 0 ]
