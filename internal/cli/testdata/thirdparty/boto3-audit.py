"""Account-level audit calls with Debian's boto3 against orgsim (run by
TestThirdPartyAuditors, internal/cli/thirdparty_test.go, with the
environment of `sim serve --env-file`): the
calls Cloud Custodian's account resource (check-cloudtrail, check-config,
password-policy, access-analyzer, iam-summary, credential, has-virtual-mfa
filters) and Prowler's IAM, CloudTrail, Config and Access Analyzer services
make, in the management account and in a member account (assumed role).
Pass: no unknown-operation error."""
import os, sys, time, datetime
import boto3, botocore
from botocore.exceptions import ClientError

EP = os.environ["AWS_ENDPOINT_URL"]
REGION = os.environ["AWS_REGION"]
counts = {"ok": 0, "awserr": 0, "unknown": 0}

def call(client, op, **kw):
    try:
        out = getattr(client, op)(**kw)
        counts["ok"] += 1
        print("ok      %s.%s" % (client.meta.service_model.service_name, op))
        return out
    except ClientError as e:
        code = e.response["Error"]["Code"]
        if code in ("InvalidAction", "UnknownOperationException"):
            counts["unknown"] += 1
            print("UNKNOWN %s.%s: %s" % (client.meta.service_model.service_name, op, e))
        else:
            counts["awserr"] += 1
            print("awserr  %s.%s: %s" % (client.meta.service_model.service_name, op, code))
        return None

def pages(client, op, key, **kw):
    out = []
    try:
        for p in client.get_paginator(op).paginate(**kw):
            out += p.get(key, [])
        counts["ok"] += 1
        print("ok      %s.%s (paginated, %d)" % (client.meta.service_model.service_name, op, len(out)))
    except ClientError as e:
        code = e.response["Error"]["Code"]
        counts["unknown" if code in ("InvalidAction", "UnknownOperationException") else "awserr"] += 1
        print("%s %s.%s: %s" % ("UNKNOWN" if code in ("InvalidAction", "UnknownOperationException") else "awserr ", client.meta.service_model.service_name, op, code))
    return out

def audit(session, label):
    print("== %s" % label)
    c = lambda s: session.client(s, endpoint_url=EP, region_name=REGION)
    iam, ct, cfg, aa, org, sts = c("iam"), c("cloudtrail"), c("config"), c("accessanalyzer"), c("organizations"), c("sts")
    call(sts, "get_caller_identity")
    # Custodian: account resource and its filters.
    call(iam, "list_account_aliases")
    call(org, "describe_organization")
    trails = (call(ct, "describe_trails") or {}).get("trailList", [])
    for t in trails:
        call(ct, "get_trail_status", Name=t["TrailARN"])
        call(ct, "get_event_selectors", TrailName=t["TrailARN"])
    call(cfg, "describe_delivery_channels")
    call(cfg, "describe_configuration_recorders")
    call(cfg, "describe_configuration_recorder_status")
    call(iam, "get_account_summary")
    call(aa, "list_analyzers")
    call(iam, "get_account_password_policy")
    pages(iam, "list_virtual_mfa_devices", "VirtualMFADevices")
    # Custodian's credential filter: get, generate, wait, get.
    try:
        iam.get_credential_report()
    except ClientError as e:
        print("        get_credential_report before generating: %s" % e.response["Error"]["Code"])
    # Prowler's IAM service: generate until COMPLETE, then get.
    n = 0
    while call(iam, "generate_credential_report")["State"] != "COMPLETE":
        n += 1; time.sleep(0.5)  # the test's orgsim builds the report at once
    rep = call(iam, "get_credential_report")
    print("        credential report after %d waits: %d lines" % (n, len(rep["Content"].splitlines())))
    roles = pages(iam, "list_roles", "Roles")
    users = pages(iam, "list_users", "Users")
    groups = pages(iam, "list_groups", "Groups")
    call(iam, "get_account_summary")
    for g in groups:
        pages(iam, "get_group", "Users", GroupName=g["GroupName"])
        pages(iam, "list_attached_group_policies", "AttachedPolicies", GroupName=g["GroupName"])
        for p in pages(iam, "list_group_policies", "PolicyNames", GroupName=g["GroupName"]):
            call(iam, "get_group_policy", GroupName=g["GroupName"], PolicyName=p)
    for u in users:
        call(iam, "get_login_profile", UserName=u["UserName"])
        pages(iam, "list_mfa_devices", "MFADevices", UserName=u["UserName"])
        pages(iam, "list_attached_user_policies", "AttachedPolicies", UserName=u["UserName"])
        for p in pages(iam, "list_user_policies", "PolicyNames", UserName=u["UserName"]):
            call(iam, "get_user_policy", UserName=u["UserName"], PolicyName=p)
        pages(iam, "list_access_keys", "AccessKeyMetadata", UserName=u["UserName"])
        call(iam, "list_user_tags", UserName=u["UserName"])
        call(iam, "list_service_specific_credentials", UserName=u["UserName"])
    for r in roles:
        call(iam, "get_role", RoleName=r["RoleName"])
        pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=r["RoleName"])
        for p in pages(iam, "list_role_policies", "PolicyNames", RoleName=r["RoleName"]):
            call(iam, "get_role_policy", RoleName=r["RoleName"], PolicyName=p)
        call(iam, "list_role_tags", RoleName=r["RoleName"])
        call(iam, "list_instance_profiles_for_role", RoleName=r["RoleName"])
    for scope in ("Local", "AWS"):
        for p in pages(iam, "list_policies", "Policies", Scope=scope, OnlyAttached=(scope == "AWS")):
            call(iam, "get_policy_version", PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])
            pages(iam, "list_entities_for_policy", "PolicyRoles", PolicyArn=p["Arn"])
            if scope == "Local":
                call(iam, "list_policy_tags", PolicyArn=p["Arn"])
    call(iam, "list_saml_providers")
    call(iam, "list_server_certificates")
    call(iam, "list_open_id_connect_providers")
    pages(iam, "list_instance_profiles", "InstanceProfiles")
    gaad = pages(iam, "get_account_authorization_details", "RoleDetailList")
    # Prowler's CloudTrail, Config and Access Analyzer services.
    for t in trails:
        try:
            ct.get_insight_selectors(TrailName=t["TrailARN"])
        except ClientError as e:
            code = e.response["Error"]["Code"]
            print("        get_insight_selectors: %s" % code)
            counts["unknown" if code in ("InvalidAction", "UnknownOperationException") else "awserr"] += 1
        call(ct, "list_tags", ResourceIdList=[t["TrailARN"]])
    now = datetime.datetime.now(datetime.timezone.utc)
    call(ct, "lookup_events", LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}],
         StartTime=now - datetime.timedelta(minutes=1440), EndTime=now)
    pages(cfg, "describe_configuration_aggregators", "ConfigurationAggregators")
    call(cfg, "describe_config_rules")
    call(cfg, "describe_compliance_by_config_rule")
    for a in pages(aa, "list_analyzers", "analyzers"):
        if a["status"] == "ACTIVE":
            for f in pages(aa, "list_findings", "findings", analyzerArn=a["arn"]):
                call(aa, "get_finding", analyzerArn=a["arn"], id=f["id"])
        pages(aa, "list_archive_rules", "archiveRules", analyzerName=a["name"])
    if label == "management":
        pages(org, "list_delegated_administrators", "DelegatedAdministrators", ServicePrincipal="config.amazonaws.com")
        pages(org, "list_accounts", "Accounts")

mgmt = boto3.Session(region_name=REGION)
sys.stdout.reconfigure(line_buffering=True)
print("boto3 %s botocore %s" % (boto3.__version__, botocore.__version__))
audit(mgmt, "management")
# A member account with a seeded trail (member 2), through its execution role.
orgc = mgmt.client("organizations", endpoint_url=EP, region_name=REGION)
accts = [a["Id"] for a in orgc.list_accounts()["Accounts"]]
me = mgmt.client("sts", endpoint_url=EP, region_name=REGION).get_caller_identity()["Account"]
for acct in [a for a in accts if a != me][:3]:
    cr = mgmt.client("sts", endpoint_url=EP, region_name=REGION).assume_role(
        RoleArn="arn:aws:iam::%s:role/OrganizationAccountAccessRole" % acct, RoleSessionName="audit")["Credentials"]
    s = boto3.Session(aws_access_key_id=cr["AccessKeyId"], aws_secret_access_key=cr["SecretAccessKey"],
                      aws_session_token=cr["SessionToken"], region_name=REGION)
    audit(s, "member %s" % acct)
print("boto3: %(ok)d ok, %(awserr)d AWS errors, %(unknown)d unknown-operation errors" % counts)
sys.exit(1 if counts["unknown"] else 0)
