import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuditVerification } from '@gcm/audit';
import { RequireScope } from '../auth/auth.decorators';
import { ProblemResponse } from '../problem/problem-response.decorator';
import { AuditPageDto, AuditQueryDto, AuditVerificationDto } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequireScope('admin')
  @ApiOperation({ summary: "The API's audit trail, filtered and paginated (oldest first)", description: 'Every mutating call is recorded, refused ones included; bodies are not.' })
  @ApiOkResponse({ type: AuditPageDto })
  @ProblemResponse(400, 'Invalid filter or paging parameter (e.g. limit above 500); `errors` names the fields', ['validation'])
  list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    return this.audit.list(query);
  }

  @Get('verify')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Verify the hash chain of the whole trail', description: 'Reports edited, deleted, reordered or torn records with their file and line.' })
  @ApiOkResponse({ type: AuditVerificationDto })
  verify(): Promise<AuditVerification> {
    return this.audit.verify();
  }
}
