import { Module } from '@nestjs/common';
import { ReviewController } from './review.controller';
import { ReviewPageFilter } from './review-page.filter';
import { ReviewService } from './review.service';

@Module({
  controllers: [ReviewController],
  providers: [ReviewService, ReviewPageFilter],
})
export class ReviewModule {}
